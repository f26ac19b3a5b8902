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
      List.of("coarse_agreement", "first_step_agreement"), List.of(4.0, 2.0), -3.0, 0.6, null, null, null));

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
  void aGatedImageIsAsConfidentAsTheGate() {
    assertThat(MODEL.gated(0.995).value()).isEqualTo(0.995);
    assertThat(MODEL.gated(0.995).review()).isFalse();
    assertThat(MODEL.gated(0.995).signals()).isEmpty();
  }

  @Test
  void aMissingSignalIsRefused() {
    assertThatThrownBy(() -> MODEL.score(Map.of("coarse_agreement", 1.0)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("first_step_agreement");
  }
}
