package org.pgdiffseg.sdk.confidence;

import static com.google.common.base.Preconditions.checkArgument;

import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.IntStream;

/**
 * How well confidences rank masks, from per-image (confidence, Dice) pairs: the same definitions as
 * {@code pgdiffseg.confidence} (spearman, auroc, risk_coverage). Stateless and thread-safe.
 */
public final class ConfidenceMetrics {
  /** The fractions of images, most confident first, whose mean Dice the risk-coverage table gives. */
  public static final List<Double> COVERAGES = List.of(0.5, 0.7, 0.8, 0.9, 1.0);

  private ConfidenceMetrics() {}

  /** Ranks from 1, tied values sharing their mean rank. */
  static double[] ranks(double[] v) {
    Integer[] order = IntStream.range(0, v.length).boxed().toArray(Integer[]::new);
    Arrays.sort(order, Comparator.comparingDouble(i -> v[i]));   // stable
    double[] ranks = new double[v.length];
    for (int i = 0; i < v.length;) {
      int j = i;
      while (j + 1 < v.length && v[order[j + 1]] == v[order[i]]) {
        j++;
      }
      for (int k = i; k <= j; k++) {
        ranks[order[k]] = (i + j) / 2.0 + 1.0;
      }
      i = j + 1;
    }
    return ranks;
  }

  /** Spearman's rank correlation (Pearson of the ranks, ties at mean rank); NaN when either side is constant. */
  public static double spearman(double[] a, double[] b) {
    checkArgument(a.length == b.length, "%s and %s values", a.length, b.length);
    double[] ra = ranks(a);
    double[] rb = ranks(b);
    double ma = Arrays.stream(ra).average().orElse(Double.NaN);
    double mb = Arrays.stream(rb).average().orElse(Double.NaN);
    double ab = 0;
    double aa = 0;
    double bb = 0;
    for (int i = 0; i < ra.length; i++) {
      ab += (ra[i] - ma) * (rb[i] - mb);
      aa += (ra[i] - ma) * (ra[i] - ma);
      bb += (rb[i] - mb) * (rb[i] - mb);
    }
    double denominator = Math.sqrt(aa * bb);
    return denominator == 0 ? Double.NaN : ab / denominator;
  }

  /**
   * How well a LOW score finds the positives (e.g. masks with Dice {@literal <} 0.5): the probability that a random positive
   * scores below a random negative, ties counting half. NaN without both kinds.
   */
  public static double auroc(double[] scores, boolean[] positives) {
    checkArgument(scores.length == positives.length, "%s scores, %s labels", scores.length, positives.length);
    double below = 0;
    long pairs = 0;
    for (int i = 0; i < scores.length; i++) {
      if (!positives[i]) {
        continue;
      }
      for (int j = 0; j < scores.length; j++) {
        if (positives[j]) {
          continue;
        }
        pairs++;
        below += scores[i] < scores[j] ? 1 : scores[i] == scores[j] ? 0.5 : 0;
      }
    }
    return pairs == 0 ? Double.NaN : below / pairs;
  }

  /**
   * Mean Dice of the most confident images, for each of {@link #COVERAGES} (the fraction of images kept, rounded
   * to whole images, at least one; ties in input order), keyed "0.5", "0.7", ...
   */
  public static Map<String, Double> riskCoverage(double[] scores, double[] dice) {
    checkArgument(scores.length == dice.length && scores.length > 0, "%s scores, %s Dice values", scores.length,
        dice.length);
    Integer[] order = IntStream.range(0, scores.length).boxed().toArray(Integer[]::new);
    Arrays.sort(order, Comparator.comparingDouble(i -> -scores[i]));   // stable: ties keep input order
    Map<String, Double> table = new LinkedHashMap<>();
    for (double c : COVERAGES) {
      int n = Math.max(1, (int) Math.rint(c * scores.length));
      double sum = 0;
      for (int i = 0; i < n; i++) {
        sum += dice[order[i]];
      }
      table.put(coverageKey(c), sum / n);
    }
    return table;
  }

  /** "0.5", "0.7", "1": the Python report's keys ({@code f"{c:g}"}). */
  static String coverageKey(double c) {
    return c == Math.rint(c) ? String.valueOf((long) c) : String.format(Locale.ROOT, "%s", c);
  }
}
