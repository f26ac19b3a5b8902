package org.pgdiffseg.sdk.pipeline;

/**
 * Wall time of each stage of one segmentation, in nanoseconds; {@code postprocessNanos} covers the mask (threshold,
 * resize, cleanup) and its lesion measurements.
 */
public record StageTimings(long decodeNanos, long preprocessNanos, long priorNanos, long denoiseNanos,
                           long postprocessNanos, long totalNanos) {
  public double millis(long nanos) {
    return nanos / 1e6;
  }
}
