/** The pgdiffseg command line: segment, eval, trajectory, bench, zoo and conformance. */
package org.pgdiffseg.samples;
