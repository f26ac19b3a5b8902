package org.pgdiffseg.sdk.bundle;

import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import org.pgdiffseg.sdk.BundleException;
import org.pgdiffseg.sdk.bundle.BundleManifest.DiffusionSpec;
import org.pgdiffseg.sdk.schedule.DiffusersConfig;
import org.pgdiffseg.sdk.schedule.DiffusionSchedule;
import org.pgdiffseg.sdk.schedule.SchedulerSpec;

/**
 * A bundle's diffusers {@code scheduler_config.json}, read once when the bundle is opened: every key of the right
 * type and in range, a scheduler the SDK honours, and no key stated differently in {@code bundle.json}. Two files
 * that disagree are refused rather than one silently winning, since diffusers would sample with the one and the
 * SDK with the other.
 */
final class SchedulerConfigFile {
  private static final JsonMapper JSON = JsonMapper.builder()
      .enable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS)   // diffusers writes -Infinity for lambda_min_clipped
      .build();

  private SchedulerConfigFile() {}

  /** The config named by {@code sampling_defaults.scheduler_config}, checked; an unmodifiable map. */
  static Map<String, Object> read(Path root, BundleManifest manifest) throws BundleException {
    String file = manifest.samplingDefaults().schedulerConfig();
    if (!manifest.files().containsKey(file)) {
      throw new BundleException(root + ": sampling_defaults.scheduler_config names '" + file
          + "', which is not listed (with its sha256) in files");
    }
    Path path = root.resolve(file);
    Map<String, Object> config;
    try {
      config = JSON.readValue(path.toFile(), new TypeReference<LinkedHashMap<String, Object>>() {});
    } catch (IOException e) {
      throw new BundleException(path + ": cannot read the scheduler config: " + e.getMessage(), e);
    }
    if (config == null) {
      throw new BundleException(path + ": expected a JSON object");
    }
    try {
      DiffusersConfig.schedule(config);
      DiffusersConfig.scheduler(config);
    } catch (IllegalArgumentException e) {
      throw new BundleException(path + ": " + e.getMessage(), e);
    }
    agree(root, file, config, manifest);
    return Collections.unmodifiableMap(config);
  }

  /** Every key both files state has the same value in both. */
  private static void agree(Path root, String file, Map<String, Object> config, BundleManifest manifest)
      throws BundleException {
    DiffusionSpec d = manifest.diffusion();
    String where = root + ": " + file + " and " + ModelBundle.MANIFEST + " disagree: ";
    check(where, file, config, "num_train_timesteps", "diffusion.num_train_timesteps", d.numTrainTimesteps(),
        (a, b) -> ((Number) a).doubleValue() == ((Number) b).doubleValue());
    check(where, file, config, "beta_schedule", "diffusion.beta_schedule", d.betaSchedule(), Objects::equals);
    check(where, file, config, "prediction_type", "diffusion.prediction_type", d.predictionType(), Objects::equals);
    // The SDK and diffusers both build the betas from the float32 value (torch.linspace in float32), so two
    // numbers that round to one float32 give bit-identical schedules; anything else gives another schedule.
    Agreement sameFloat32 = (a, b) -> (float) ((Number) a).doubleValue() == (float) ((Number) b).doubleValue();
    check(where, file, config, "beta_start", "diffusion.beta_start", d.betaStart(), sameFloat32);
    check(where, file, config, "beta_end", "diffusion.beta_end", d.betaEnd(), sameFloat32);
    sameScheduler(root, where, file, config, manifest.samplingDefaults().scheduler(), d);
  }

  private interface Agreement {
    boolean test(Object configValue, Object manifestValue);
  }

  private static void check(String where, String file, Map<String, Object> config, String key, String manifestKey,
      Object manifestValue, Agreement same) throws BundleException {
    Object value = config.get(key);
    if (value != null && !same.test(value, manifestValue)) {
      throw new BundleException(where + file + " says " + key + " = " + value + ", " + ModelBundle.MANIFEST + " says "
          + manifestKey + " = " + manifestValue);
    }
  }

  /**
   * {@code sampling_defaults.scheduler} names a scheduler too: the class, and the keys in which that name differs
   * from the class's defaults (ddim-trailing: timestep_spacing; dpm++3: solver_order) must be the config's.
   */
  private static void sameScheduler(Path root, String where, String file, Map<String, Object> config, String name,
      DiffusionSpec d) throws BundleException {
    SchedulerSpec named;
    try {
      named = SchedulerSpec.parse(name);
    } catch (IllegalArgumentException e) {
      throw new BundleException(root + ": " + ModelBundle.MANIFEST
          + ": sampling_defaults.scheduler is '" + name + "', expected one of " + SchedulerSpec.NAMES, e);
    }
    DiffusionSchedule schedule = new DiffusionSchedule(d.numTrainTimesteps(), d.betaSchedule(), d.betaStart(),
        d.betaEnd(), d.predictionType());
    String className = named.config().diffusersClassName();
    if (!className.equals(config.get("_class_name"))) {
      throw new BundleException(where + file + " says _class_name = " + config.get("_class_name") + ", "
          + ModelBundle.MANIFEST + " says sampling_defaults.scheduler = " + name + " (" + className + ")");
    }
    Map<String, Object> byName = DiffusersConfig.toConfig(named, schedule);
    Map<String, Object> classDefaults = DiffusersConfig.toConfig(
        DiffusersConfig.scheduler(className, Map.of()), schedule);
    Map<String, Object> stated = DiffusersConfig.toConfig(DiffusersConfig.scheduler(config), schedule);
    for (var e : byName.entrySet()) {
      String key = e.getKey();
      if (!Objects.equals(e.getValue(), classDefaults.get(key)) && !Objects.equals(e.getValue(), stated.get(key))) {
        throw new BundleException(where + file + " says " + key + " = " + stated.get(key) + ", "
            + ModelBundle.MANIFEST + " says sampling_defaults.scheduler = " + name + " (" + key + " = " + e.getValue()
            + ")");
      }
    }
  }
}
