package org.pgdiffseg.sdk.confidence;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.pgdiffseg.sdk.bundle.BundleManifest.ConfidenceSpec;

class ConfidenceModelTest {
  private static final ConfidenceModel MODEL = ConfidenceModel.of(new ConfidenceSpec(
      List.of("coarse_agreement", "first_step_agreement"), List.of(4.0, 2.0), -3.0, 0.6, null, null, null, null));
  private static final ConfidenceModel WITH_GATE_RECORD = ConfidenceModel.of(new ConfidenceSpec(
      List.of("mirror_prior_agreement"), List.of(5.0), -1.0, 0.9, 0.95, null, null, null));

  @Test
  void theLogisticFunctionOfTheWeightedSignals() {
    Confidence c = MODEL.score(Map.of("first_step_agreement", 0.5, "coarse_agreement", 1.0, "sharpness", 0.1));
    assertThat(c.value()).isCloseTo(1 / (1 + Math.exp(-(4.0 + 1.0 - 3.0))), within(1e-12));
    assertThat(c.review()).isFalse();
    assertThat(c.signals()).containsExactly(Map.entry("coarse_agreement", 1.0), Map.entry("first_step_agreement", 0.5));
  }

  @Test
  void aConfidenceBelowTheThresholdAsksForReview() {
    Confidence c = MODEL.score(Map.of("coarse_agreement", 0.2, "first_step_agreement", 0.2));
    assertThat(c.value()).isCloseTo(1 / (1 + Math.exp(-(0.8 + 0.4 - 3.0))), within(1e-12));
    assertThat(c.review()).isTrue();
  }

  @Test
  void aGatedImageIsAsConfidentAsTheGateWithoutARecordOfIt() {
    assertThat(MODEL.gated(0.995).value()).isEqualTo(0.995);
    assertThat(MODEL.gated(0.995).review()).isFalse();
    assertThat(MODEL.gated(0.995).signals()).isEmpty();
  }

  @Test
  void aGatePrecisionScalesTheGatesOwnProbability() {
    assertThat(WITH_GATE_RECORD.gated(0.9999999).value()).isCloseTo(0.95 * 0.9999999, within(1e-15));
    assertThat(WITH_GATE_RECORD.gated(0.94).review()).isTrue();   // 0.893 < 0.9
    assertThat(WITH_GATE_RECORD.gated(1.5).value()).isEqualTo(0.95);   // a probability past 1 is clamped first
  }

  @Test
  void onlyAModelOfTheMirrorsPriorNeedsItsPriorCall() {
    assertThat(MODEL.needsMirroredPrior()).isFalse();
    assertThat(WITH_GATE_RECORD.needsMirroredPrior()).isTrue();
    assertThat(WITH_GATE_RECORD.score(Map.of("mirror_prior_agreement", 0.5)).value())
        .isCloseTo(1 / (1 + Math.exp(-1.5)), within(1e-12));
  }

  @Test
  void aMissingSignalIsRefused() {
    assertThatThrownBy(() -> MODEL.score(Map.of("coarse_agreement", 1.0)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("first_step_agreement");
  }
}
