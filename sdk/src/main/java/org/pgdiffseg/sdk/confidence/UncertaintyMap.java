package org.pgdiffseg.sdk.confidence;

import static com.google.common.base.Preconditions.checkArgument;
import static org.bytedeco.opencv.global.opencv_core.CV_32FC1;
import static org.bytedeco.opencv.global.opencv_imgproc.INTER_LINEAR;
import static org.bytedeco.opencv.global.opencv_imgproc.resize;

import java.nio.FloatBuffer;
import org.bytedeco.opencv.opencv_core.Mat;
import org.bytedeco.opencv.opencv_core.Size;
import org.pgdiffseg.sdk.imaging.BinaryMask;
import org.pgdiffseg.sdk.imaging.MaskPostprocessor;

/**
 * Where the sources of a mask disagree, per pixel at model resolution: the largest of |p - coarse| (the final
 * probability against the prior's coarse mask), the ensemble's spread (max - min of the samples' probabilities,
 * K {@literal >} 1) and |p - mirrored| (when a mirrored map exists). In [0, 1]; 0 where all agree. The same definition as
 * {@code pgdiffseg.confidence.uncertainty_map}. Stateless and thread-safe.
 */
public final class UncertaintyMap {
  private UncertaintyMap() {}

  /**
   * @param coarseUp the coarse mask's probability at model resolution ({@link ConfidenceSignals#upsampleRepeat})
   * @param spread the ensemble's per-pixel spread, or null for K = 1
   * @param mirrored the mirrored image's probability mirrored back, or null
   */
  public static float[] of(float[] probability, float[] coarseUp, float[] spread, float[] mirrored) {
    checkArgument(coarseUp.length == probability.length, "coarse map has %s values, expected %s", coarseUp.length,
        probability.length);
    float[] u = new float[probability.length];
    for (int i = 0; i < u.length; i++) {
      float d = Math.abs(probability[i] - coarseUp[i]);
      if (spread != null) {
        d = Math.max(d, spread[i]);
      }
      if (mirrored != null) {
        d = Math.max(d, Math.abs(probability[i] - mirrored[i]));
      }
      u[i] = d;
    }
    return u;
  }

  /**
   * Per pixel, max - min over the {@code samples} rows of {@code x0} from {@code offset} of each sample's
   * probability ((x - background) / (lesion - background), clipped to [0, 1]); into {@code out}.
   */
  public static void spread(float[] x0, int offset, int samples, float background, float lesion, float[] out) {
    float span = lesion - background;
    int pixels = out.length;
    for (int i = 0; i < pixels; i++) {
      float lo = 1f;
      float hi = 0f;
      for (int k = 0; k < samples; k++) {
        float p = Math.min(Math.max((x0[offset + k * pixels + i] - background) / span, 0f), 1f);
        lo = Math.min(lo, p);
        hi = Math.max(hi, p);
      }
      out[i] = hi - lo;
    }
  }

  /** Where the map is uncertain enough to draw: the region the overlay outlines (docs/confidence.md). */
  public static final double REGION_LEVEL = 0.25;

  /** The map resized to {@code outputHeight x outputWidth} with bilinear interpolation (as masks are). */
  public static float[] resized(float[] map, int height, int width, int outputHeight, int outputWidth) {
    checkArgument(map.length == height * width, "map has %s values, expected %s x %s", map.length, height, width);
    float[] out = new float[outputHeight * outputWidth];
    try (Mat in = new Mat(height, width, CV_32FC1);
        Mat scaled = new Mat();
        Size size = new Size(outputWidth, outputHeight)) {
      ((FloatBuffer) in.createBuffer()).put(0, map);
      resize(in, scaled, size, 0, 0, INTER_LINEAR);
      ((FloatBuffer) scaled.createBuffer()).get(0, out);
    }
    return out;
  }

  /** The pixels, at {@code outputHeight x outputWidth}, where the map is at least {@code level}. */
  public static BinaryMask region(float[] map, int height, int width, int outputHeight, int outputWidth,
      double level) {
    return MaskPostprocessor.thresholdOnly(level).toMask(map, height, width, outputHeight, outputWidth);
  }
}
