/** JMH benchmarks of the SDK's hot paths, and what opening a Segmenter costs. */
package org.pgdiffseg.benchmarks;
