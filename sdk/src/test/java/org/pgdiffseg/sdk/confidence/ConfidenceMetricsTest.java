package org.pgdiffseg.sdk.confidence;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class ConfidenceMetricsTest {
  @Test
  void aurocOfALowScoreForThePositives() {
    // positives (bad masks) score 0.1 and 0.6; negatives 0.5 and 0.9: of 4 pairs, 3 have the positive lower
    double[] scores = {0.1, 0.6, 0.5, 0.9};
    boolean[] bad = {true, true, false, false};
    assertThat(ConfidenceMetrics.auroc(scores, bad)).isEqualTo(0.75);
    assertThat(ConfidenceMetrics.auroc(new double[] {0.5, 0.5}, new boolean[] {true, false})).isEqualTo(0.5);
    assertThat(ConfidenceMetrics.auroc(scores, new boolean[4])).isNaN();
  }

  @Test
  void spearmanOfRanksWithTiesAtTheirMeanRank() {
    assertThat(ConfidenceMetrics.spearman(new double[] {1, 2, 3, 4}, new double[] {10, 20, 30, 1000})).isEqualTo(1.0);
    assertThat(ConfidenceMetrics.spearman(new double[] {1, 2, 3}, new double[] {3, 2, 1})).isEqualTo(-1.0);
    // ranks a = 1, 2.5, 2.5, 4; b = 1, 2, 3, 4: Pearson = 4.5 / sqrt(4.5 * 5)
    assertThat(ConfidenceMetrics.spearman(new double[] {1, 2, 2, 3}, new double[] {1, 2, 3, 4}))
        .isCloseTo(4.5 / Math.sqrt(4.5 * 5), within(1e-12));
    assertThat(ConfidenceMetrics.spearman(new double[] {1, 1}, new double[] {1, 2})).isNaN();
  }

  @Test
  void riskCoverageIsTheMeanDiceOfTheMostConfident() {
    double[] scores = new double[10];
    double[] dice = new double[10];
    for (int i = 0; i < 10; i++) {
      scores[i] = i;          // the most confident is the last
      dice[i] = i / 10.0;
    }
    var table = ConfidenceMetrics.riskCoverage(scores, dice);
    assertThat(table.keySet()).containsExactly("0.5", "0.7", "0.8", "0.9", "1");
    assertThat(table.get("0.5")).isCloseTo((0.9 + 0.8 + 0.7 + 0.6 + 0.5) / 5, within(1e-12));
    assertThat(table.get("1")).isCloseTo(0.45, within(1e-12));
  }
}
