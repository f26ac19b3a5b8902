/**
 * Model bundles on disk: the manifest (bundle.json) parsed and validated, every file checked against its
 * sha256 before any graph is opened, zipped bundles unpacked safely once per JVM.
 */
package org.pgdiffseg.sdk.bundle;
