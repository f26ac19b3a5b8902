/**
 * The segmentation pipeline: {@link org.pgdiffseg.sdk.pipeline.Segmenter} (one loaded model, any number of
 * concurrent callers), its options and results, and the settings a bundle stands for
 * ({@link org.pgdiffseg.sdk.pipeline.ModelSettings}).
 */
package org.pgdiffseg.sdk.pipeline;
