package org.pgdiffseg.sdk.pipeline;

import org.pgdiffseg.sdk.imaging.MaskPostprocessor;

/**
 * Test-time horizontal-flip averaging: each image is sampled together with its horizontal mirror (K rows of the
 * image, then K rows of the mirror), the mirror's x_T is the image's x_T mirrored (so x_T = 0 stays 0 and the
 * seed's noise means the same pixels in both), and the mirror's probability, mirrored back, is averaged with the
 * image's. The gate looks at the original image only, so flipping changes the mask of an image the gate keeps
 * and nothing else (the gate modes compared are in docs/model.md, "Flip averaging"). Matches
 * {@code pgdiffseg.sampling.segment(..., flip_average=True)}. Stateless.
 */
final class FlipAverage {
  private FlipAverage() {}

  /** Copies the {@code height x width} image at {@code from} of {@code src}, mirrored left to right, to {@code to}. */
  static void mirror(float[] src, int from, float[] dst, int to, int height, int width) {
    for (int y = 0; y < height; y++) {
      int row = y * width;
      for (int x = 0; x < width; x++) {
        dst[to + row + x] = src[from + row + width - 1 - x];
      }
    }
  }

  /** A new array holding {@code image} mirrored left to right. */
  static float[] mirrored(float[] image, int height, int width) {
    float[] out = new float[image.length];
    mirror(image, 0, out, 0, height, width);
    return out;
  }

  /**
   * Each of the {@code pairs} chunks of {@code initial} (the noise one image would start from alone) becomes that
   * image's rows of {@code xt}: as drawn for its K rows, mirrored for its mirror's K rows.
   */
  static void spreadInitialSample(float[] initial, int pairs, int k, float[] xt, int height, int width) {
    int pixels = height * width;
    for (int j = 0; j < pairs; j++) {
      for (int r = 0; r < k; r++) {
        int from = (j * k + r) * pixels;
        System.arraycopy(initial, from, xt, (2 * j * k + r) * pixels, pixels);
        mirror(initial, from, xt, ((2 * j + 1) * k + r) * pixels, height, width);
      }
    }
  }

  /**
   * The probability of the image whose 2K rows of {@code x0} start at {@code offset}: the mean over its K samples,
   * averaged with its mirror's mean over K mirrored back (float32, as numpy computes it in the reference).
   * {@code scratch} holds one map; it is left holding the mirror's own probability (not mirrored back).
   */
  static void probability(float[] x0, int offset, int k, float[] out, float[] scratch, int height, int width,
      ModelSettings.MaskRange range) {
    int pixels = height * width;
    MaskPostprocessor.ensembleProbability(x0, offset, k, out, range.background(), range.lesion());
    MaskPostprocessor.ensembleProbability(x0, offset + k * pixels, k, scratch, range.background(), range.lesion());
    for (int y = 0; y < height; y++) {
      int row = y * width;
      for (int x = 0; x < width; x++) {
        out[row + x] = (out[row + x] + scratch[row + width - 1 - x]) / 2f;
      }
    }
  }
}
