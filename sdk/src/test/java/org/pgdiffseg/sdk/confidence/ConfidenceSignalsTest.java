package org.pgdiffseg.sdk.confidence;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.Map;
import org.junit.jupiter.api.Test;

class ConfidenceSignalsTest {
  @Test
  void softDiceOfKnownMaps() {
    // 2 * (1*1 + 0.5*1) / ((1 + 0.5 + 0) + (1 + 1 + 1)) = 3 / 4.5
    assertThat(ConfidenceSignals.softDice(new float[] {1, 0.5f, 0}, new float[] {1, 1, 1}))
        .isCloseTo(3 / 4.5, within(1e-12));
    assertThat(ConfidenceSignals.softDice(new float[] {1, 0}, new float[] {0, 1})).isZero();
    assertThat(ConfidenceSignals.softDice(new float[] {0.3f, 0.7f}, new float[] {0.3f, 0.7f}))
        .isCloseTo(2 * (0.09 + 0.49) / 2.0, within(1e-6));
  }

  @Test
  void twoEmptyMapsAgreeCompletely() {
    assertThat(ConfidenceSignals.softDice(new float[4], new float[4])).isEqualTo(1.0);
  }

  @Test
  void coarseLogitsBecomeProbabilities() {
    float[] p = ConfidenceSignals.coarseProbability(new float[] {0, (float) Math.log(3), -1000});
    assertThat(p[0]).isEqualTo(0.5f);
    assertThat(p[1]).isCloseTo(0.75f, within(1e-6f));
    assertThat(p[2]).isZero();
  }

  @Test
  void eachCoarsePixelCoversItsBlock() {
    float[] up = ConfidenceSignals.upsampleRepeat(new float[] {1, 2, 3, 4}, 2, 2, 4, 4);
    assertThat(up).containsExactly(
        1, 1, 2, 2,
        1, 1, 2, 2,
        3, 3, 4, 4,
        3, 3, 4, 4);
    assertThatThrownBy(() -> ConfidenceSignals.upsampleRepeat(new float[4], 2, 2, 5, 4))
        .hasMessageContaining("does not tile");
  }

  @Test
  void sharpnessIsTheMeanDistanceFromUndecidedOverTheLesion() {
    // lesion pixels (>= 0.5): 0.5 -> 0, 1.0 -> 1, 0.75 -> 0.5; mean 0.5; the 0.2 pixel is not lesion
    assertThat(ConfidenceSignals.sharpness(new float[] {0.5f, 1f, 0.75f, 0.2f}, 0.5)).isCloseTo(0.5, within(1e-12));
    assertThat(ConfidenceSignals.sharpness(new float[] {0.1f, 0.2f}, 0.5)).isZero();
  }

  @Test
  void lesionFractionCountsPixelsAtTheThreshold() {
    assertThat(ConfidenceSignals.lesionFraction(new float[] {0.5f, 0.49f, 0.9f, 0f}, 0.5)).isEqualTo(0.5);
  }

  @Test
  void allSignalsOfAnImageAndTheMirroredOneOnlyWhenGiven() {
    float[] p = {1, 1, 0, 0};
    float[] coarseLogits = {0};   // 0.5 everywhere once upsampled
    Map<String, Double> s = ConfidenceSignals.of(p, 2, 2, ConfidenceSignals.coarseProbability(coarseLogits), 1, 1,
        new float[] {1, 1, 0, 0}, 0.2, 0.5, null, null);
    assertThat(s.keySet()).containsExactly("coarse_agreement", "first_step_agreement", "gate_tumor", "sharpness",
        "lesion_fraction");
    assertThat(s.get("coarse_agreement")).isCloseTo(2 * 1.0 / (2 + 2), within(1e-12));
    assertThat(s.get("first_step_agreement")).isEqualTo(1.0);
    assertThat(s.get("gate_tumor")).isCloseTo(0.8, within(1e-12));
    assertThat(s.get("sharpness")).isEqualTo(1.0);
    assertThat(s.get("lesion_fraction")).isEqualTo(0.5);
    Map<String, Double> mirrored = ConfidenceSignals.of(p, 2, 2, new float[] {0.5f}, 1, 1, p, 0.2, 0.5,
        new float[] {0, 1, 0, 0}, null);
    assertThat(mirrored.get("flip_agreement")).isCloseTo(2 * 1.0 / 3, within(1e-12));
    assertThat(mirrored).doesNotContainKey("mirror_prior_agreement");
    // the mirror's coarse mask (already mirrored back), 2 x 1 coarse pixels over the 2 x 2 map: top row lesion
    Map<String, Double> mirrorPrior = ConfidenceSignals.of(p, 2, 2, new float[] {0.5f, 0.5f}, 2, 1, p, 0.2, 0.5,
        null, new float[] {1, 0});
    assertThat(mirrorPrior.get("mirror_prior_agreement")).isEqualTo(1.0);
    assertThat(mirrorPrior).doesNotContainKey("flip_agreement");
    assertThat(ConfidenceSignals.of(p, 2, 2, new float[] {0.5f, 0.5f}, 2, 1, p, 0.2, 0.5, null,
        new float[] {0, 1}).get("mirror_prior_agreement")).isEqualTo(0.0);
  }
}
