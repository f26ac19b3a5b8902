package org.pgdiffseg.samples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.pgdiffseg.sdk.confidence.Confidence;
import org.pgdiffseg.sdk.imaging.BinaryMask;
import org.pgdiffseg.sdk.metrics.LesionMeasurements;
import org.pgdiffseg.sdk.metrics.MaskOverlap;

/** eval's confidence figures, from its own per-image rows with known Dice and confidence. */
class EvalConfidenceTest {
  /** A tumor image whose mask has Dice {@code 2 tp / (2 tp + (10 - tp))}: tp of 10 lesion pixels found. */
  static EvalCommand.Row row(String id, int tp, double confidence, boolean review) {
    MaskOverlap overlap = new MaskOverlap(tp, 0, 10 - tp, 90, Double.NaN);
    LesionMeasurements none = LesionMeasurements.of(BinaryMask.empty(10, 10), null);
    return new EvalCommand.Row(id, "benign", true, overlap, false, 0.1, none, none,
        new Confidence(confidence, review, Map.of()));
  }

  @Test
  void spearmanAurocRiskCoverageAndTheFlaggedFromTheRows() throws Exception {
    List<EvalCommand.Row> rows = List.of(
        row("a", 10, 0.9, false),   // Dice 1
        row("b", 5, 0.8, false),    // Dice 10 / 15 = 0.667
        row("c", 2, 0.85, false),   // Dice 4 / 12 = 0.333
        row("d", 0, 0.1, true));    // Dice 0
    Map<String, Object> c = EvalCommand.confidenceSummary(rows, 0.5);
    assertThat(c.get("tumor_images")).isEqualTo(4);
    assertThat(c.get("dice_below_0_5")).isEqualTo(2);
    // bad c (0.85) is above good b (0.8): 3 of the 4 (bad, good) pairs are ordered
    assertThat((Double) c.get("auroc_dice_below_0_5")).isEqualTo(0.75);
    // ranks of confidence 4, 2, 3, 1 against Dice 4, 3, 2, 1: 1 - 6 * 2 / (4 * 15) = 0.8
    assertThat((Double) c.get("spearman_dice")).isCloseTo(0.8, within(1e-12));
    @SuppressWarnings("unchecked")
    Map<String, Double> table = (Map<String, Double>) c.get("risk_coverage");
    assertThat(table.get("0.5")).isCloseTo((1.0 + 4 / 12.0) / 2, within(1e-12));
    assertThat(table.get("1")).isCloseTo((1.0 + 10 / 15.0 + 4 / 12.0) / 4, within(1e-12));
    assertThat(c.get("review_flagged")).isEqualTo(1L);
    assertThat(c.get("review_flagged_dice_below_0_5")).isEqualTo(1L);
    assertThat(EvalCommand.confidenceLine(c)).contains("Spearman with Dice 0.800", "AUROC for Dice < 0.5 0.750",
        "review 1 (1 with Dice < 0.5)", "50% 0.6667");
  }

  @Test
  void theCsvHasAConfidenceColumnEmptyWithoutAModel() throws Exception {
    MaskOverlap overlap = new MaskOverlap(10, 0, 0, 90, 0);
    LesionMeasurements none = LesionMeasurements.of(BinaryMask.empty(10, 10), null);
    String csv = EvalCommand.csv(List.of(row("a", 10, 0.25, true),
        new EvalCommand.Row("b", "benign", true, overlap, false, 0.1, none, none, null)));
    String[] lines = csv.split("\n");
    assertThat(lines[0]).endsWith(",confidence");
    assertThat(lines[1]).endsWith(",0.250000");
    assertThat(lines[2]).endsWith(",\"\"");
  }
}
