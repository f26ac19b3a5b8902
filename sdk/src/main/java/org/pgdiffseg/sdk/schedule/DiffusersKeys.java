package org.pgdiffseg.sdk.schedule;

import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What the SDK does with every config key of the four diffusers 0.42.1 schedulers (the parameters of their
 * {@code __init__}, which {@code scheduler_config.json} stores): each is implemented, refused when set to a value
 * other than diffusers' default, or inert (it only tunes a refused option, so diffusers ignores it too while that
 * option is off). DiffusersKeysTest holds these lists against diffusers' own (conformance/python/gen_scheduler_keys.py),
 * so a key added by a newer diffusers cannot be ignored silently. Keys of no scheduler here are ignored, as diffusers
 * ignores a config's unexpected keys.
 */
final class DiffusersKeys {
  static final List<String> CLASSES = List.of("DDPMScheduler", "DDIMScheduler", "DPMSolverMultistepScheduler",
      "UniPCMultistepScheduler");

  /** A refused key: the default value under which it changes nothing, and why the SDK lacks it. */
  record Refused(Object defaultValue, String why) {}

  /** The noise schedule keys every class has (DiffusionSchedule); unsupported values are refused there. */
  private static final Set<String> SCHEDULE = Set.of("num_train_timesteps", "beta_start", "beta_end", "beta_schedule",
      "prediction_type");

  static final Map<String, Set<String>> IMPLEMENTED = Map.of(
      "DDPMScheduler", with(SCHEDULE, "variance_type", "clip_sample", "clip_sample_range", "timestep_spacing",
          "steps_offset"),
      "DDIMScheduler", with(SCHEDULE, "clip_sample", "clip_sample_range", "set_alpha_to_one", "timestep_spacing",
          "steps_offset"),
      "DPMSolverMultistepScheduler", with(SCHEDULE, "solver_order", "algorithm_type", "solver_type",
          "lower_order_final", "euler_at_final", "use_karras_sigmas", "final_sigmas_type", "lambda_min_clipped",
          "timestep_spacing", "steps_offset"),
      "UniPCMultistepScheduler", with(SCHEDULE, "solver_order", "solver_type", "lower_order_final",
          "disable_corrector", "use_karras_sigmas", "sigma_min", "sigma_max", "final_sigmas_type", "timestep_spacing",
          "steps_offset"));

  /** Refused keys of the noise schedule (DiffusionSchedule), common to all four. */
  private static final Map<String, Refused> REFUSED_SCHEDULE = Map.of(
      "trained_betas", new Refused(null, "give beta_schedule, beta_start and beta_end instead"),
      "rescale_betas_zero_snr", new Refused(false, "zero terminal SNR needs a model trained on that schedule"));

  private static final Map<String, Refused> REFUSED_BY_ALL = with(REFUSED_SCHEDULE, Map.of(
      "thresholding", new Refused(false, "dynamic thresholding is for pixel-space models with out-of-range x0")));

  private static final Map<String, Refused> REFUSED_BY_MULTISTEP = Map.of(
      "use_exponential_sigmas", new Refused(false, "only Karras sigmas are implemented"),
      "use_beta_sigmas", new Refused(false, "only Karras sigmas are implemented"),
      "use_flow_sigmas", new Refused(false, "flow-matching models are not supported"),
      "use_dynamic_shifting", new Refused(false, "flow-matching models are not supported"));

  static final Map<String, Map<String, Refused>> REFUSED = Map.of(
      "DDPMScheduler", REFUSED_BY_ALL,
      "DDIMScheduler", REFUSED_BY_ALL,
      "DPMSolverMultistepScheduler", with(REFUSED_BY_ALL, REFUSED_BY_MULTISTEP, Map.of(
          "use_lu_lambdas", new Refused(false, "only Karras sigmas are implemented"),
          "variance_type", new Refused(null, "learned variances need a model that predicts them"))),
      "UniPCMultistepScheduler", with(REFUSED_BY_ALL, REFUSED_BY_MULTISTEP, Map.of(
          "predict_x0", new Refused(true, "only the data-prediction form is implemented"),
          "solver_p", new Refused(null, "a separate predictor scheduler is not supported"),
          "shift_terminal", new Refused(null, "flow-matching models are not supported"))));

  /** Inert keys and the refused key each one tunes. */
  private static final Map<String, String> INERT_IN_ALL = Map.of(
      "dynamic_thresholding_ratio", "thresholding",
      "sample_max_value", "thresholding");

  static final Map<String, Map<String, String>> INERT = Map.of(
      "DDPMScheduler", INERT_IN_ALL,
      "DDIMScheduler", INERT_IN_ALL,
      "DPMSolverMultistepScheduler", with(INERT_IN_ALL, Map.of("flow_shift", "use_flow_sigmas",
          "time_shift_type", "use_dynamic_shifting")),
      "UniPCMultistepScheduler", with(INERT_IN_ALL, Map.of("flow_shift", "use_flow_sigmas",
          "time_shift_type", "use_dynamic_shifting")));

  private DiffusersKeys() {}

  /** Throws if {@code config} sets a key that {@code className} refuses to anything but its default. */
  static void refuseUnsupported(String className, Map<String, Object> config) {
    refuse(className + ": ", REFUSED.get(className), config);
  }

  /** The same for the noise schedule's keys alone. */
  static void refuseUnsupportedSchedule(Map<String, Object> config) {
    refuse("", REFUSED_SCHEDULE, config);
  }

  private static void refuse(String prefix, Map<String, Refused> keys, Map<String, Object> config) {
    keys.forEach((key, refused) -> {
      Object value = config.get(key);
      if (value != null && !sameValue(value, refused.defaultValue())) {
        throw new IllegalArgumentException(prefix + key + " = " + describe(value)
            + " is not supported by this SDK (" + refused.why() + ")");
      }
    });
  }

  private static boolean sameValue(Object value, Object defaultValue) {
    if (value instanceof Number v && defaultValue instanceof Number d) {
      return v.doubleValue() == d.doubleValue();
    }
    return value.equals(defaultValue);
  }

  private static String describe(Object value) {
    String text = String.valueOf(value);
    return text.length() > 60 ? text.substring(0, 57) + "..." : text;
  }

  private static Set<String> with(Set<String> base, String... more) {
    Set<String> out = new HashSet<>(base);
    out.addAll(List.of(more));
    return Set.copyOf(out);
  }

  @SafeVarargs
  private static <V> Map<String, V> with(Map<String, V>... maps) {
    Map<String, V> out = new HashMap<>();
    for (Map<String, V> m : maps) {
      out.putAll(m);
    }
    return Map.copyOf(out);
  }
}
