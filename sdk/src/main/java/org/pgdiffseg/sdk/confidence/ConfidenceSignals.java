package org.pgdiffseg.sdk.confidence;

import static com.google.common.base.Preconditions.checkArgument;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The per-image signals of docs/confidence.md, from arrays the pipeline already has; the same definitions as
 * {@code pgdiffseg.confidence} in Python. All maps are row-major at model resolution unless named coarse.
 * Stateless and thread-safe.
 */
public final class ConfidenceSignals {
  public static final String COARSE_AGREEMENT = "coarse_agreement";
  public static final String FIRST_STEP_AGREEMENT = "first_step_agreement";
  public static final String GATE_TUMOR = "gate_tumor";
  public static final String SHARPNESS = "sharpness";
  public static final String LESION_FRACTION = "lesion_fraction";
  /** Agreement with the prior's coarse mask of the mirrored image; computed only when one is given. */
  public static final String MIRROR_PRIOR_AGREEMENT = "mirror_prior_agreement";
  /** Agreement with the mirrored image's map; computed only when one is given. */
  public static final String FLIP_AGREEMENT = "flip_agreement";

  private ConfidenceSignals() {}

  /**
   * Every signal of one image the gate kept.
   *
   * @param probability the final lesion probability
   * @param coarse the prior's coarse mask as probabilities ({@link #coarseProbability}), {@code coarseHeight x
   *     coarseWidth}
   * @param firstStep the probability of the first step's predicted x0
   * @param pSkip the gate's probability of its skip class
   * @param threshold the mask threshold
   * @param mirrored the mirrored image's probability, mirrored back; null where none was computed
   * @param mirroredCoarse the prior's coarse mask of the mirrored image as probabilities, mirrored back, the size of
   *     {@code coarse}; null where none was computed
   */
  public static Map<String, Double> of(float[] probability, int height, int width, float[] coarse, int coarseHeight,
      int coarseWidth, float[] firstStep, double pSkip, double threshold, float[] mirrored, float[] mirroredCoarse) {
    float[] coarseUp = upsampleRepeat(coarse, coarseHeight, coarseWidth, height, width);
    Map<String, Double> s = new LinkedHashMap<>();
    s.put(COARSE_AGREEMENT, softDice(probability, coarseUp));
    s.put(FIRST_STEP_AGREEMENT, softDice(probability, firstStep));
    s.put(GATE_TUMOR, 1.0 - pSkip);
    s.put(SHARPNESS, sharpness(probability, threshold));
    s.put(LESION_FRACTION, lesionFraction(probability, threshold));
    if (mirroredCoarse != null) {
      s.put(MIRROR_PRIOR_AGREEMENT,
          softDice(probability, upsampleRepeat(mirroredCoarse, coarseHeight, coarseWidth, height, width)));
    }
    if (mirrored != null) {
      s.put(FLIP_AGREEMENT, softDice(probability, mirrored));
    }
    return s;
  }

  /** 2 sum(a b) / (sum a + sum b), summed in double; 1 when both are all zero (they agree there is nothing). */
  public static double softDice(float[] a, float[] b) {
    checkArgument(a.length == b.length, "maps of %s and %s values", a.length, b.length);
    double ab = 0;
    double total = 0;
    for (int i = 0; i < a.length; i++) {
      ab += (double) a[i] * b[i];
      total += (double) a[i] + b[i];
    }
    return total == 0 ? 1.0 : 2.0 * ab / total;
  }

  /** The coarse mask's logits as probabilities (the logistic function, rounded to float32). */
  public static float[] coarseProbability(float[] logits) {
    float[] p = new float[logits.length];
    for (int i = 0; i < p.length; i++) {
      p[i] = (float) (1.0 / (1.0 + Math.exp(-(double) logits[i])));
    }
    return p;
  }

  /** Each coarse pixel repeated over the model pixels it covers; the model size must be a whole multiple. */
  public static float[] upsampleRepeat(float[] coarse, int coarseHeight, int coarseWidth, int height, int width) {
    checkArgument(coarse.length == coarseHeight * coarseWidth, "coarse map has %s values, expected %s x %s",
        coarse.length, coarseHeight, coarseWidth);
    checkArgument(height % coarseHeight == 0 && width % coarseWidth == 0,
        "coarse mask %sx%s does not tile the model size %sx%s", coarseHeight, coarseWidth, height, width);
    int sy = height / coarseHeight;
    int sx = width / coarseWidth;
    float[] up = new float[height * width];
    for (int y = 0; y < height; y++) {
      for (int x = 0; x < width; x++) {
        up[y * width + x] = coarse[(y / sy) * coarseWidth + x / sx];
      }
    }
    return up;
  }

  /** Mean |2p - 1| over the lesion pixels (p {@literal >=} threshold): how decided the lesion is; 0 without lesion pixels. */
  public static double sharpness(float[] probability, double threshold) {
    double sum = 0;
    int n = 0;
    for (float p : probability) {
      if (p >= threshold) {
        sum += Math.abs(2.0 * p - 1.0);
        n++;
      }
    }
    return n == 0 ? 0.0 : sum / n;
  }

  /** Lesion pixels (p {@literal >=} threshold) over all pixels. */
  public static double lesionFraction(float[] probability, double threshold) {
    int n = 0;
    for (float p : probability) {
      if (p >= threshold) {
        n++;
      }
    }
    return (double) n / probability.length;
  }
}
