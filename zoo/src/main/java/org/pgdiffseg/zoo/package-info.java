/**
 * The model zoo: resolves a model id or path to a verified local bundle (path, cache, embedded in the jar, or
 * downloaded), installs atomically into a cache it never writes outside of.
 */
package org.pgdiffseg.zoo;
