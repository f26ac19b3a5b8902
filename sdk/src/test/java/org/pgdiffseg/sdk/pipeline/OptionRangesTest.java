package org.pgdiffseg.sdk.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.pgdiffseg.sdk.bundle.ModelBundle;
import org.pgdiffseg.sdk.bundle.TestBundles;
import org.pgdiffseg.sdk.runtime.SessionConfig;
import org.pgdiffseg.sdk.schedule.SchedulerSpec;

/** Options set through the API are held to the ranges a bundle's defaults are, and refused naming the option. */
class OptionRangesTest {
  static Stream<Arguments> outOfRange() {
    return Stream.of(
        Arguments.of((Consumer<Segmenter.Builder>) b -> b.steps(1_000_000), "steps must be in 1..100000, got 1000000"),
        Arguments.of((Consumer<Segmenter.Builder>) b -> b.steps(0), "steps must be in 1..100000, got 0"),
        Arguments.of((Consumer<Segmenter.Builder>) b -> b.ensemble(65), "ensemble must be in 1..64, got 65"),
        Arguments.of((Consumer<Segmenter.Builder>) b -> b.ensemble(0), "ensemble must be in 1..64, got 0"),
        Arguments.of((Consumer<Segmenter.Builder>) b -> b.maskThreshold(1.5), "maskThreshold must be in (0, 1), got 1.5"),
        Arguments.of((Consumer<Segmenter.Builder>) b -> b.gateThreshold(2), "gateThreshold must be in [0, 1], got 2.0"));
  }

  @ParameterizedTest(name = "{1}")
  @MethodSource("outOfRange")
  void theBuilderRefusesAnOutOfRangeOptionWhenItIsSet(Consumer<Segmenter.Builder> set, String message) {
    assertThatThrownBy(() -> set.accept(Segmenter.builder())).isInstanceOf(IllegalArgumentException.class)
        .hasMessage(message);
  }

  @Test
  void samplingOptionsRefuseMoreStepsThanAnySchedule() {
    assertThatThrownBy(() -> new SamplingOptions(SchedulerSpec.ddim(), 1_000_000, 1, 0, 0.5, false, false))
        .isInstanceOf(IllegalArgumentException.class).hasMessage("steps must be in 1..100000, got 1000000");
  }

  @Test
  void moreStepsThanTheBundlesTrainingTimestepsAreRefusedAtBuildAndPerCall() throws Exception {
    ModelBundle tiny = ModelBundle.open(TestBundles.tiny());
    SessionConfig oneThread = SessionConfig.cpuOnly().toBuilder().intraOpThreads(1).build();
    assertThatThrownBy(() -> Segmenter.builder().bundle(tiny).steps(5000).sessionConfig(oneThread).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("steps must be in 1..1000 (the bundle's diffusion.num_train_timesteps), got 5000");
    try (Segmenter segmenter = Segmenter.builder().bundle(tiny).sessionConfig(oneThread).build()) {
      float[] image = new float[32 * 32];
      SegmentRequest tooMany = SegmentRequest.defaults().withOptions(segmenter.options().withSteps(5000));
      assertThatThrownBy(() -> segmenter.segmentPreprocessed("blank", image, 32, 32, tooMany))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessage("steps must be in 1..1000 (the bundle's diffusion.num_train_timesteps), got 5000");
      assertThat(segmenter.segmentPreprocessed("blank", image, 32, 32, SegmentRequest.defaults()).mask()).isNotNull();
    }
  }
}
