package org.pgdiffseg.sdk.imaging;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

/**
 * How a gray image becomes the model's input tensor: clip to the intensity window
 * [{@code windowLow}, {@code windowHigh}], resize to {@code height} × {@code width} (aspect ratio not kept)
 * with {@code interpolation}, then map the window linearly onto [{@code outLow}, {@code outHigh}].
 *
 * @param interpolation a manifest name accepted by {@link Interpolation#fromName(String)}
 */
public record PreprocessSpec(
    int height, int width, double windowLow, double windowHigh, double outLow, double outHigh, String interpolation) {

  public PreprocessSpec {
    checkArgument(height > 0 && width > 0, "height and width must be positive, got %s x %s", height, width);
    checkArgument(
        Double.isFinite(windowLow) && Double.isFinite(windowHigh) && windowLow < windowHigh,
        "window must be finite with windowLow < windowHigh, got [%s, %s]", windowLow, windowHigh);
    checkArgument(
        Double.isFinite(outLow) && Double.isFinite(outHigh) && outLow < outHigh,
        "output range must be finite with outLow < outHigh, got [%s, %s]", outLow, outHigh);
    checkNotNull(interpolation, "interpolation");
    Interpolation.fromName(interpolation);
  }

  /** The PGDiffSeg BUSI model's input: 128 × 128, window [30, 235], output [-1, 1], area interpolation. */
  public static PreprocessSpec busi128() {
    return new PreprocessSpec(128, 128, 30, 235, -1, 1, "area");
  }

  public Interpolation interpolationMode() {
    return Interpolation.fromName(interpolation);
  }

  /** Number of floats one preprocessed image occupies: {@code height * width}. */
  public int pixels() {
    return height * width;
  }
}
