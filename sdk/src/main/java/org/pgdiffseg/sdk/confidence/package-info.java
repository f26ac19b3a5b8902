/**
 * How far to trust a mask: the per-image signals that predict a bad mask, the bundle's logistic model over them
 * ({@link org.pgdiffseg.sdk.confidence.Confidence}) and the per-pixel map of where the sources disagree
 * ({@link org.pgdiffseg.sdk.confidence.UncertaintyMap}). Definitions in docs/confidence.md; the Python reference
 * is {@code pgdiffseg.confidence}.
 */
package org.pgdiffseg.sdk.confidence;
