package org.pgdiffseg.sdk.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pgdiffseg.sdk.BundleException;
import org.pgdiffseg.sdk.bundle.ModelBundle;
import org.pgdiffseg.sdk.bundle.TestBundles;
import org.pgdiffseg.sdk.schedule.DdimConfig;
import org.pgdiffseg.sdk.schedule.DiffusersConfig;
import org.pgdiffseg.sdk.schedule.DpmSolverConfig;
import org.pgdiffseg.sdk.schedule.PredictionType;
import org.pgdiffseg.sdk.schedule.SchedulerSpec;
import org.pgdiffseg.sdk.schedule.UniPcConfig;

/** The manifest becomes typed settings in one place; a bundle may state its scheduler as diffusers does. */
class ModelSettingsTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  @TempDir Path tmp;

  @Test
  void theTinyBundlesSettings() throws Exception {
    ModelSettings s = ModelSettings.of(ModelBundle.open(TestBundles.tiny()));
    assertThat(s.preprocess().height()).isEqualTo(32);
    assertThat(s.schedule().predictionType()).isIn((Object[]) PredictionType.values());
    assertThat(s.gate().enabled()).isTrue();
    assertThat(s.maskRange()).isEqualTo(ModelSettings.MaskRange.SYMMETRIC);
    assertThat(s.samplingDefaults().scheduler().name()).isNotBlank();
  }

  /**
   * The tiny bundle with a scheduler_config.json holding {@code config}, listed in files and named by the manifest,
   * whose sampling_defaults.scheduler names the same scheduler.
   */
  private Path bundleWithSchedulerConfig(String scheduler, Map<String, Object> config, boolean listed) throws Exception {
    Path copy = TestBundles.copyOfTiny(tmp);
    JSON.writerWithDefaultPrettyPrinter().writeValue(copy.resolve("scheduler_config.json").toFile(), config);
    Path manifest = copy.resolve("bundle.json");
    ObjectNode m = (ObjectNode) JSON.readTree(manifest.toFile());
    ((ObjectNode) m.get("sampling_defaults")).put("scheduler", scheduler).put("scheduler_config", "scheduler_config.json");
    if (listed) {
      ((ObjectNode) m.get("files")).put("scheduler_config.json", "0".repeat(64));
    }
    JSON.writerWithDefaultPrettyPrinter().writeValue(manifest.toFile(), m);
    TestBundles.resign(copy);
    return copy;
  }

  @Test
  void aSchedulerConfigInTheBundleStatesTheSchedulerExactly() throws Exception {
    ModelSettings plain = ModelSettings.of(ModelBundle.open(TestBundles.tiny()));
    SchedulerSpec ddim = SchedulerSpec.ddim(new DdimConfig(0.0, false, 1.0, false, "trailing", 0));
    Path bundle = bundleWithSchedulerConfig("ddim-trailing", DiffusersConfig.toConfig(ddim, plain.schedule()), true);
    ModelSettings s = ModelSettings.of(ModelBundle.open(bundle));
    assertThat(s.samplingDefaults().scheduler().config()).isEqualTo(ddim.config());
  }

  @Test
  void aSchedulerConfigMustBeListedAndHonourable() throws Exception {
    ModelSettings plain = ModelSettings.of(ModelBundle.open(TestBundles.tiny()));
    Map<String, Object> config = DiffusersConfig.toConfig(SchedulerSpec.ddim(), plain.schedule());
    assertThatThrownBy(() -> ModelSettings.of(ModelBundle.open(bundleWithSchedulerConfig("ddim", config, false))))
        .isInstanceOf(BundleException.class).hasMessageContaining("not listed");
    Map<String, Object> thresholding = new java.util.LinkedHashMap<>(config);
    thresholding.put("thresholding", true);
    Path other = Files.createDirectories(tmp.resolve("other"));
    tmp = other;
    assertThatThrownBy(() -> ModelSettings.of(ModelBundle.open(bundleWithSchedulerConfig("ddim", thresholding, true))))
        .isInstanceOf(BundleException.class).hasMessageContaining("thresholding");
  }

  @Test
  void schedulerConfigsRoundTripThroughDiffusersForm() {
    var schedule = new org.pgdiffseg.sdk.schedule.DiffusionSchedule(1000, "squaredcos_cap_v2", 1e-4, 0.02, "v_prediction");
    for (SchedulerSpec spec : List.of(SchedulerSpec.ddpm(), SchedulerSpec.ddim(), SchedulerSpec.dpmSolverPlusPlus(3),
        SchedulerSpec.dpmSolver(new DpmSolverConfig(2, "sde-dpmsolver++", "heun", true, false, "zero", "trailing", 1,
            true, -5.1)),
        SchedulerSpec.uniPc(new UniPcConfig(3, "bh1", false, java.util.Set.of(0, 2), "sigma_min", "leading", 1, true,
            0.02, 80.0)))) {
      Map<String, Object> config = DiffusersConfig.toConfig(spec, schedule);
      assertThat(DiffusersConfig.scheduler(config).config()).as(spec.name()).isEqualTo(spec.config());
      assertThat(DiffusersConfig.schedule(config)).isEqualTo(schedule);
    }
  }

  @Test
  void aBundleMayStartItsSamplingFromZeros() throws Exception {
    Path copy = TestBundles.copyOfTiny(tmp);
    Path manifest = copy.resolve("bundle.json");
    ObjectNode m = (ObjectNode) JSON.readTree(manifest.toFile());
    ((ObjectNode) m.get("sampling_defaults")).put("initial_sample", "zeros");
    JSON.writerWithDefaultPrettyPrinter().writeValue(manifest.toFile(), m);
    assertThat(ModelSettings.of(ModelBundle.open(copy)).samplingDefaults().initialSample()).isEqualTo(InitialSample.ZEROS);
    ((ObjectNode) m.get("sampling_defaults")).put("initial_sample", "ones");
    JSON.writerWithDefaultPrettyPrinter().writeValue(manifest.toFile(), m);
    assertThatThrownBy(() -> ModelBundle.open(copy)).isInstanceOf(BundleException.class)
        .hasMessageContaining("sampling_defaults.initial_sample");
  }
}
