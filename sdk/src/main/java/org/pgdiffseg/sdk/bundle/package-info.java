/**
 * Model bundles on disk: the manifest (bundle.json) parsed and validated, every file checked against its
 * sha256 before any graph is opened, zipped bundles unpacked safely, once, into the cache.
 */
package org.pgdiffseg.sdk.bundle;
