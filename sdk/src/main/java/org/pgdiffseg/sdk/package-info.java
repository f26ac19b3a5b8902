/**
 * The PGDiffSeg SDK: segment breast lesions with a bundle of two ONNX graphs. Start at
 * {@link org.pgdiffseg.sdk.pipeline.Segmenter}; every failure is a {@link org.pgdiffseg.sdk.PgDiffSegException}
 * subtype: {@link org.pgdiffseg.sdk.BundleException} (a model that cannot be used),
 * {@link org.pgdiffseg.sdk.InvalidImageException} (an input that cannot be read) and
 * {@link org.pgdiffseg.sdk.InferenceException} (a graph call that failed).
 */
package org.pgdiffseg.sdk;
