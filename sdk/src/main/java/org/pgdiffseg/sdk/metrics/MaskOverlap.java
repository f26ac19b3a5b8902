package org.pgdiffseg.sdk.metrics;

import static com.google.common.base.Preconditions.checkArgument;

import java.util.Arrays;
import org.pgdiffseg.sdk.imaging.BinaryMask;
import org.pgdiffseg.sdk.imaging.DecodedImage;

/**
 * Overlap of a predicted mask with a reference mask of the same size: pixel counts and the metrics
 * derived from them. An empty prediction on an empty reference scores 1 (Dice, IoU, sensitivity).
 */
public record MaskOverlap(long truePositive, long falsePositive, long falseNegative, long trueNegative, double hd95) {

  /** Reference pixels above 127 are lesion. */
  public static MaskOverlap of(BinaryMask predicted, DecodedImage reference) {
    checkArgument(predicted.width() == reference.width() && predicted.height() == reference.height(),
        "mask is %sx%s but the reference %s is %sx%s", predicted.width(), predicted.height(), reference.name(),
        reference.width(), reference.height());
    int w = predicted.width();
    int h = predicted.height();
    boolean[] p = new boolean[w * h];
    boolean[] t = new boolean[w * h];
    byte[] pixels = predicted.pixels();
    for (int i = 0; i < p.length; i++) {
      p[i] = pixels[i] != 0;
      t[i] = reference.grayAt(i % w, i / w) > 127;
    }
    return of(p, t, w, h);
  }

  /** Two binary masks of the same size; nonzero pixels are lesion. */
  public static MaskOverlap of(BinaryMask predicted, BinaryMask truth) {
    checkArgument(predicted.width() == truth.width() && predicted.height() == truth.height(),
        "mask is %sx%s but the reference is %sx%s", predicted.width(), predicted.height(), truth.width(),
        truth.height());
    byte[] a = predicted.pixels();
    byte[] b = truth.pixels();
    boolean[] p = new boolean[a.length];
    boolean[] t = new boolean[b.length];
    for (int i = 0; i < p.length; i++) {
      p[i] = a[i] != 0;
      t[i] = b[i] != 0;
    }
    return of(p, t, predicted.width(), predicted.height());
  }

  public static MaskOverlap of(boolean[] predicted, boolean[] truth, int width, int height) {
    long tp = 0, fp = 0, fn = 0, tn = 0;
    for (int i = 0; i < predicted.length; i++) {
      if (predicted[i]) {
        if (truth[i]) tp++; else fp++;
      } else {
        if (truth[i]) fn++; else tn++;
      }
    }
    return new MaskOverlap(tp, fp, fn, tn, hd95(predicted, truth, width, height));
  }

  public double dice() {
    long total = 2 * truePositive + falsePositive + falseNegative;
    return total == 0 ? 1.0 : 2.0 * truePositive / total;
  }

  public double iou() {
    long union = truePositive + falsePositive + falseNegative;
    return union == 0 ? 1.0 : (double) truePositive / union;
  }

  /** True-positive rate; 1 when the reference is empty. */
  public double sensitivity() {
    long positives = truePositive + falseNegative;
    return positives == 0 ? 1.0 : (double) truePositive / positives;
  }

  /** True-negative rate; 1 when the reference is all lesion. */
  public double specificity() {
    long negatives = trueNegative + falsePositive;
    return negatives == 0 ? 1.0 : (double) trueNegative / negatives;
  }

  /**
   * 95th percentile of the symmetric surface distances in pixels, as medpy's hd95: 0 when both masks are
   * empty, NaN when exactly one is (undefined; left out of means).
   */
  static double hd95(boolean[] a, boolean[] b, int w, int h) {
    int[] sa = surface(a, w, h);
    int[] sb = surface(b, w, h);
    if (sa.length == 0 && sb.length == 0) {
      return 0;
    }
    if (sa.length == 0 || sb.length == 0) {
      return Double.NaN;
    }
    double[] d = new double[sa.length + sb.length];
    nearest(sa, sb, w, d, 0);
    nearest(sb, sa, w, d, sa.length);
    Arrays.sort(d);
    // numpy.percentile's default linear interpolation
    double rank = 0.95 * (d.length - 1);
    int lo = (int) Math.floor(rank);
    int hi = Math.min(lo + 1, d.length - 1);
    return d[lo] + (rank - lo) * (d[hi] - d[lo]);
  }

  private static void nearest(int[] from, int[] to, int w, double[] out, int offset) {
    for (int i = 0; i < from.length; i++) {
      int fx = from[i] % w;
      int fy = from[i] / w;
      long best = Long.MAX_VALUE;
      for (int j : to) {
        long dx = fx - j % w;
        long dy = fy - j / w;
        best = Math.min(best, dx * dx + dy * dy);
      }
      out[offset + i] = Math.sqrt(best);
    }
  }

  /** Lesion pixels with a 3x3 neighbour outside the lesion or the image (erosion border). */
  private static int[] surface(boolean[] m, int w, int h) {
    int[] buffer = new int[m.length];
    int n = 0;
    for (int y = 0; y < h; y++) {
      for (int x = 0; x < w; x++) {
        if (!m[y * w + x]) {
          continue;
        }
        boolean edge = false;
        for (int dy = -1; dy <= 1 && !edge; dy++) {
          for (int dx = -1; dx <= 1 && !edge; dx++) {
            int nx = x + dx;
            int ny = y + dy;
            edge = nx < 0 || ny < 0 || nx >= w || ny >= h || !m[ny * w + nx];
          }
        }
        if (edge) {
          buffer[n++] = y * w + x;
        }
      }
    }
    return Arrays.copyOf(buffer, n);
  }
}
