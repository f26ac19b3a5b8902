/**
 * The conformance suite: checks a bundle and this SDK against reference outputs of the PyTorch model it was
 * exported from, and reports every check (console, JSON, JUnit XML).
 */
package org.pgdiffseg.conformance;
