package org.pgdiffseg.sdk.bundle;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.pgdiffseg.sdk.BundleException;
import org.pgdiffseg.sdk.pipeline.ModelSettings;
import org.pgdiffseg.sdk.schedule.DiffusersConfig;
import org.pgdiffseg.sdk.schedule.DiffusionSchedule;
import org.pgdiffseg.sdk.schedule.DpmSolverConfig;
import org.pgdiffseg.sdk.schedule.SchedulerSpec;

/** A bundle's scheduler_config.json is typed, in range and agrees with its bundle.json, or the bundle is refused. */
class SchedulerConfigFileTest {
  @TempDir Path tmp;

  /** The tiny bundle's own settings (dpm++ on T = 1000, linear 1e-4..0.02, epsilon) as diffusers writes them. */
  static Map<String, Object> agreeing(String scheduler) {
    Map<String, Object> c = new LinkedHashMap<>(DiffusersConfig.toConfig(SchedulerSpec.parse(scheduler),
        new DiffusionSchedule(1000, "linear", 1e-4, 0.02, "epsilon")));
    c.put("_diffusers_version", "0.42.1");
    return c;
  }

  private Path bundleWith(String scheduler, Map<String, Object> config) throws Exception {
    Path b = TestBundles.copyOfTiny(tmp);
    TestBundles.withSchedulerConfig(b, scheduler, config);
    return b;
  }

  @Test
  void anAgreeingConfigIsReadAndWins() throws Exception {
    Map<String, Object> config = agreeing("dpm++");
    config.put("lower_order_final", false);   // a key bundle.json does not state
    ModelBundle bundle = ModelBundle.open(bundleWith("dpm++", config));
    assertThat(bundle.schedulerConfig()).hasValueSatisfying(c -> assertThat(c).containsEntry("lower_order_final", false));
    assertThat(ModelSettings.of(bundle).samplingDefaults().scheduler().config())
        .isEqualTo(DpmSolverConfig.defaults().withLowerOrderFinal(false));
  }

  @Test
  void aBetaThatRoundsToTheSameFloat32Agrees() throws Exception {
    Map<String, Object> config = agreeing("dpm++");
    config.put("beta_end", 0.020000000000000004);   // 0.02 + 1 ulp of a double: the same float32, the same betas
    assertThat(ModelBundle.open(bundleWith("dpm++", config)).schedulerConfig()).isPresent();
  }

  static Stream<Arguments> contradictions() {
    return Stream.of(
        Arguments.of("dpm++", "prediction_type", "v_prediction",
            "scheduler_config.json says prediction_type = v_prediction, bundle.json says diffusion.prediction_type = epsilon"),
        Arguments.of("dpm++", "num_train_timesteps", 500,
            "scheduler_config.json says num_train_timesteps = 500, bundle.json says diffusion.num_train_timesteps = 1000"),
        Arguments.of("dpm++", "beta_start", 0.00011,
            "scheduler_config.json says beta_start = 1.1E-4, bundle.json says diffusion.beta_start = 1.0E-4"),
        Arguments.of("dpm++", "beta_end", 0.012,
            "scheduler_config.json says beta_end = 0.012, bundle.json says diffusion.beta_end = 0.02"),
        Arguments.of("dpm++", "beta_schedule", "scaled_linear",
            "scheduler_config.json says beta_schedule = scaled_linear, bundle.json says diffusion.beta_schedule = linear"),
        // dpm++3 names solver_order 3 (DPMSolverMultistepScheduler's default is 2), the config states 2.
        Arguments.of("dpm++3", "solver_order", 2,
            "scheduler_config.json says solver_order = 2, bundle.json says sampling_defaults.scheduler = dpm++3 "
                + "(solver_order = 3)"));
  }

  @ParameterizedTest(name = "{0}: {1} = {2}")
  @MethodSource("contradictions")
  void aConfigContradictingBundleJsonIsRefusedNamingBothFilesTheKeyAndBothValues(String scheduler, String key,
      Object value, String expected) throws Exception {
    Map<String, Object> config = agreeing("dpm++");
    config.put(key, value);
    Path b = bundleWith(scheduler, config);
    assertThatThrownBy(() -> ModelBundle.open(b)).isInstanceOf(BundleException.class)
        .hasMessageContaining("scheduler_config.json and bundle.json disagree: " + expected);
  }

  @Test
  void aConfigOfAnotherSchedulerClassThanTheNamedOneIsRefused() throws Exception {
    Path b = bundleWith("ddim", agreeing("dpm++"));
    assertThatThrownBy(() -> ModelBundle.open(b)).isInstanceOf(BundleException.class).hasMessageContaining(
        "scheduler_config.json says _class_name = DPMSolverMultistepScheduler, bundle.json says "
            + "sampling_defaults.scheduler = ddim (DDIMScheduler)");
  }

  static Stream<Arguments> wrongTypesAndRanges() {
    return Stream.of(
        Arguments.of("unipc", "disable_corrector", List.of("a"),
            "disable_corrector[0] is \"a\" (a string), expected an integer"),
        Arguments.of("unipc", "disable_corrector", 3, "disable_corrector is 3 (an integer), expected a list of step indices"),
        Arguments.of("dpm++", "timestep_spacing", 5, "timestep_spacing is 5 (an integer), expected a string"),
        Arguments.of("dpm++", "num_train_timesteps", "1000", "num_train_timesteps is \"1000\" (a string), expected an integer"),
        Arguments.of("dpm++", "use_karras_sigmas", "yes", "use_karras_sigmas is \"yes\" (a string), expected true or false"),
        Arguments.of("dpm++", "beta_start", List.of(1), "beta_start is [1] (a list), expected a number"),
        Arguments.of("dpm++", "solver_order", 2.5, "solver_order is 2.5 (a number), expected an integer"),
        Arguments.of("dpm++", "num_train_timesteps", 2_000_000_000, "num_train_timesteps is 2000000000, expected 2..100000"),
        Arguments.of("dpm++", "num_train_timesteps", 3e9, "num_train_timesteps is 3000000000, expected 2..100000"),
        Arguments.of("dpm++", "beta_end", 1.5, "beta_end is 1.5, expected 0 < beta_end < 1"),
        Arguments.of("dpm++", "steps_offset", -1, "steps_offset is -1, expected 0..99999"),
        Arguments.of("dpm++", "solver_order", 7, "solver_order is 7, expected 1..3"),
        Arguments.of("ddim", "eta", 2.0, "eta is 2.0, expected a number in [0, 1]"),
        Arguments.of("ddim", "clip_sample_range", 0.0, "clip_sample_range is 0.0, expected a number in (0, 100]"),
        Arguments.of("ddim", "dynamic_thresholding_ratio", 1.5, "dynamic_thresholding_ratio is 1.5, expected a number in (0, 1]"),
        Arguments.of("unipc", "sigma_min", -1.0, "sigma_min is -1.0, expected a number in (0, 1e6]"));
  }

  @ParameterizedTest(name = "{0}: {1} = {2}")
  @MethodSource("wrongTypesAndRanges")
  void aKeyOfTheWrongTypeOrOutOfRangeIsABundleExceptionNamingTheKey(String scheduler, String key, Object value,
      String expected) throws Exception {
    Map<String, Object> config = agreeing(scheduler);
    config.put(key, value);
    Path b = bundleWith(scheduler, config);
    assertThatThrownBy(() -> ModelSettings.of(ModelBundle.open(b))).isInstanceOf(BundleException.class)
        .hasMessageContaining("scheduler_config.json: " + expected);
  }
}
