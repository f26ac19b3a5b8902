/**
 * The PGDiffSeg SDK on Apache Spark: {@link org.pgdiffseg.spark.SparkSegmentation} turns a Dataset of image
 * paths or binary file rows into a Dataset of results (one row per image, or per frame of a multi-frame DICOM),
 * with one {@link org.pgdiffseg.sdk.pipeline.Segmenter} per executor JVM; {@link org.pgdiffseg.spark.SegmentJob}
 * is the same job as a main class for spark-submit and the local launcher.
 */
package org.pgdiffseg.spark;
