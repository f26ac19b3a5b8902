package org.pgdiffseg.sdk.imaging;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;
import static org.bytedeco.opencv.global.opencv_core.CV_32FC1;
import static org.bytedeco.opencv.global.opencv_imgproc.INTER_LINEAR;
import static org.bytedeco.opencv.global.opencv_imgproc.resize;

import java.nio.FloatBuffer;
import org.bytedeco.opencv.opencv_core.Mat;
import org.bytedeco.opencv.opencv_core.Size;

/**
 * Turns a lesion-probability map at model resolution into a {@link BinaryMask} at the original image size:
 *
 * <ol>
 *   <li>resize the map to the original width × height with {@code cv2.INTER_LINEAR};
 *   <li>threshold: {@code p >= threshold} (compared in float32) is lesion (255), else 0;
 *   <li>optionally keep only the largest 8-connected lesion component (ties: the first in raster order);
 *   <li>optionally fill holes: background regions (4-connected) that do not touch the image border.
 * </ol>
 *
 * <p>Immutable and thread-safe.
 *
 * @param threshold probability at and above which a pixel is lesion, in (0, 1]
 */
public record MaskPostprocessor(double threshold, boolean keepLargestComponent, boolean fillHoles) {

  public MaskPostprocessor {
    checkArgument(threshold > 0 && threshold <= 1, "threshold must be in (0, 1], got %s", threshold);
  }

  /** Threshold 0.5, no component filtering, no hole filling: the plain thresholded mask. */
  public static MaskPostprocessor thresholdOnly(double threshold) {
    return new MaskPostprocessor(threshold, false, false);
  }

  /**
   * The lesion probability of {@code samples} ensemble predictions {@code x0} in [-1, 1], stored one after
   * another ({@code [samples, pixels]} row-major): {@code mean_k(clip((x0_k + 1) / 2, 0, 1))}, written into
   * {@code probability} (length = pixels).
   */
  public static void ensembleProbability(float[] x0, int samples, float[] probability) {
    ensembleProbability(x0, samples, probability, -1f, 1f);
  }

  /**
   * As above for a model whose clean mask takes {@code background} for background and {@code lesion} for lesion
   * ({@code diffusion.mask_value_range}): each sample maps to (x - background) / (lesion - background).
   */
  public static void ensembleProbability(float[] x0, int samples, float[] probability, float background,
      float lesion) {
    checkNotNull(x0, "x0");
    checkNotNull(probability, "probability");
    checkArgument(
        (long) samples * probability.length == x0.length,
        "x0 has %s values, expected %s samples x %s pixels", x0.length, samples, probability.length);
    ensembleProbability(x0, 0, samples, probability, background, lesion);
  }

  /** As above for the {@code samples} rows of {@code x0} that start at {@code offset} (one image of a batch). */
  public static void ensembleProbability(float[] x0, int offset, int samples, float[] probability, float background,
      float lesion) {
    int pixels = probability.length;
    if (samples <= 0 || offset < 0 || offset + (long) samples * pixels > x0.length) {   // not checkArgument: no boxing
      throw new IllegalArgumentException("x0 has " + x0.length + " values, too few for " + samples + " samples of "
          + pixels + " pixels from " + offset);
    }
    float span = lesion - background;
    if (span == 0 || !Float.isFinite(span)) {   // no checkArgument: its boxed arguments would allocate per call
      throw new IllegalArgumentException("mask value range [" + background + ", " + lesion + "] is empty");
    }
    for (int i = 0; i < pixels; i++) {
      // Each sample is clipped to [0, 1] first, so one sample far outside the mask range cannot outvote the
      // others; float32 sum in sample order, then the mean in double rounded to float32 (numpy's mean(axis=0)).
      float sum = 0f;
      for (int k = 0; k < samples; k++) {
        sum += Math.min(Math.max((x0[offset + k * pixels + i] - background) / span, 0f), 1f);
      }
      probability[i] = (float) ((double) sum / samples);
    }
  }

  /**
   * The mask at {@code outputHeight} × {@code outputWidth} for a probability map of {@code height} ×
   * {@code width} (row-major, values in [0, 1]).
   */
  public BinaryMask toMask(float[] probability, int height, int width, int outputHeight, int outputWidth) {
    checkNotNull(probability, "probability");
    checkArgument(height > 0 && width > 0, "map size must be positive, got %s x %s", height, width);
    checkArgument(
        outputHeight > 0 && outputWidth > 0, "output size must be positive, got %s x %s", outputHeight, outputWidth);
    checkArgument(
        probability.length == (long) height * width,
        "probability has %s values, expected %s x %s", probability.length, height, width);
    byte[] mask = new byte[outputHeight * outputWidth];
    float t = (float) threshold;
    try (Mat map = new Mat(height, width, CV_32FC1);
        Mat resized = new Mat();
        Size size = new Size(outputWidth, outputHeight)) {
      ((FloatBuffer) map.createBuffer()).put(0, probability);
      resize(map, resized, size, 0, 0, INTER_LINEAR);
      FloatBuffer values = resized.createBuffer();
      for (int i = 0; i < mask.length; i++) {
        mask[i] = values.get(i) >= t ? (byte) 255 : 0;
      }
    }
    if (keepLargestComponent) {
      keepLargestComponent(mask, outputWidth, outputHeight);
    }
    if (fillHoles) {
      fillHoles(mask, outputWidth, outputHeight);
    }
    return new BinaryMask(outputWidth, outputHeight, mask);
  }

  /** {@link #toMask(float[], int, int, int, int)} at the size of {@code original}. */
  public BinaryMask toMask(float[] probability, int height, int width, DecodedImage original) {
    return toMask(probability, height, width, original.height(), original.width());
  }

  private static void keepLargestComponent(byte[] mask, int width, int height) {
    ConnectedComponents components = ConnectedComponents.of(mask, width, height, 8);
    if (components.count() <= 2) {
      return; // background only, or a single component
    }
    int largest = 1;
    for (int label = 2; label < components.count(); label++) {
      if (components.area(label) > components.area(largest)) {
        largest = label;
      }
    }
    int[] labels = components.labels();
    for (int i = 0; i < mask.length; i++) {
      mask[i] = labels[i] == largest ? (byte) 255 : 0;
    }
  }

  private static void fillHoles(byte[] mask, int width, int height) {
    byte[] background = new byte[mask.length];
    for (int i = 0; i < mask.length; i++) {
      background[i] = mask[i] == 0 ? (byte) 1 : 0;
    }
    // 4-connected background is the dual of 8-connected lesion: a diagonal gap does not open a hole.
    ConnectedComponents components = ConnectedComponents.of(background, width, height, 4);
    boolean[] hole = new boolean[components.count()];
    boolean anyHole = false;
    for (int label = 1; label < components.count(); label++) {
      hole[label] = !components.touchesBorder(label, width, height);
      anyHole |= hole[label];
    }
    if (!anyHole) {
      return;
    }
    int[] labels = components.labels();
    for (int i = 0; i < mask.length; i++) {
      if (hole[labels[i]]) {
        mask[i] = (byte) 255;
      }
    }
  }
}
