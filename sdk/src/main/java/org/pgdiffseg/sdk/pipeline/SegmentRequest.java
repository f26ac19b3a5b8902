package org.pgdiffseg.sdk.pipeline;

import com.google.common.base.Preconditions;

/**
 * Per-call settings of {@link Segmenter#segment}: options that replace the segmenter's (null: keep
 * them), a progress callback, whether to keep the x0 prediction of every step, and a cancellation token.
 */
public record SegmentRequest(
    SamplingOptions options, ProgressListener progress, boolean keepTrajectory, CancellationToken cancellation) {
  public SegmentRequest {
    Preconditions.checkNotNull(progress, "progress");
    Preconditions.checkNotNull(cancellation, "cancellation");
  }

  public static SegmentRequest defaults() {
    return new SegmentRequest(null, ProgressListener.NONE, false, new CancellationToken());
  }

  public SegmentRequest withOptions(SamplingOptions value) {
    return new SegmentRequest(value, progress, keepTrajectory, cancellation);
  }

  public SegmentRequest withProgress(ProgressListener value) {
    return new SegmentRequest(options, value, keepTrajectory, cancellation);
  }

  public SegmentRequest withTrajectory(boolean value) {
    return new SegmentRequest(options, progress, value, cancellation);
  }

  public SegmentRequest withCancellation(CancellationToken value) {
    return new SegmentRequest(options, progress, keepTrajectory, value);
  }
}
