package org.pgdiffseg.sdk.schedule;

import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reads a diffusers {@code scheduler_config.json} (as a map of its keys) into this SDK's types, so a
 * configuration written for diffusers means the same here. Options the SDK does not implement are refused
 * when they are switched on, rather than silently ignored.
 */
public final class DiffusersConfig {
  private static final List<String> UNSUPPORTED_FLAGS = List.of("thresholding", "use_karras_sigmas",
      "use_exponential_sigmas", "use_beta_sigmas", "use_lu_lambdas", "use_flow_sigmas", "rescale_betas_zero_snr",
      "use_dynamic_shifting");

  private DiffusersConfig() {}

  /** The noise schedule part of a diffusers config (defaults: diffusers'). */
  public static DiffusionSchedule schedule(Map<String, Object> c) {
    if (c.get("trained_betas") != null) {
      throw new IllegalArgumentException("trained_betas is not supported; give beta_schedule, beta_start and beta_end");
    }
    return new DiffusionSchedule(integer(c, "num_train_timesteps", 1000), string(c, "beta_schedule", "linear"),
        number(c, "beta_start", 1e-4), number(c, "beta_end", 0.02), string(c, "prediction_type", "epsilon"));
  }

  /** The sampler of a diffusers config, by its class name (DDPMScheduler, DDIMScheduler, ...). */
  public static SchedulerSpec scheduler(String className, Map<String, Object> c) {
    for (String flag : UNSUPPORTED_FLAGS) {
      if (Boolean.TRUE.equals(c.get(flag))) {
        throw new IllegalArgumentException(className + ": " + flag + " = true is not supported by this SDK");
      }
    }
    String spacing = string(c, "timestep_spacing", null);
    int offset = integer(c, "steps_offset", 0);
    return switch (className) {
      case "DDPMScheduler" -> SchedulerSpec.ddpm(new DdpmConfig(string(c, "variance_type", "fixed_small"),
          bool(c, "clip_sample", true), number(c, "clip_sample_range", 1.0), spacing == null ? "leading" : spacing, offset));
      case "DDIMScheduler" -> SchedulerSpec.ddim(new DdimConfig(number(c, "eta", 0.0), bool(c, "clip_sample", true),
          number(c, "clip_sample_range", 1.0), bool(c, "set_alpha_to_one", true), spacing == null ? "leading" : spacing, offset));
      case "DPMSolverMultistepScheduler" -> SchedulerSpec.dpmSolver(new DpmSolverConfig(integer(c, "solver_order", 2),
          string(c, "algorithm_type", "dpmsolver++"), string(c, "solver_type", "midpoint"), bool(c, "lower_order_final", true),
          bool(c, "euler_at_final", false), string(c, "final_sigmas_type", "zero"), spacing == null ? "linspace" : spacing, offset));
      case "UniPCMultistepScheduler" -> {
        if (!bool(c, "predict_x0", true)) {
          throw new IllegalArgumentException("UniPCMultistepScheduler: predict_x0 = false is not supported by this SDK");
        }
        Set<Integer> disabled = new HashSet<>();
        if (c.get("disable_corrector") instanceof List<?> list) {
          list.forEach(v -> disabled.add(((Number) v).intValue()));
        }
        yield SchedulerSpec.uniPc(new UniPcConfig(integer(c, "solver_order", 2), string(c, "solver_type", "bh2"),
            bool(c, "lower_order_final", true), disabled, string(c, "final_sigmas_type", "zero"),
            spacing == null ? "linspace" : spacing, offset));
      }
      default -> throw new IllegalArgumentException("unsupported scheduler class '" + className
          + "', expected DDPMScheduler, DDIMScheduler, DPMSolverMultistepScheduler or UniPCMultistepScheduler");
    };
  }

  private static String string(Map<String, Object> c, String key, String fallback) {
    Object v = c.get(key);
    return v == null ? fallback : v.toString();
  }

  private static int integer(Map<String, Object> c, String key, int fallback) {
    Object v = c.get(key);
    return v instanceof Number n ? n.intValue() : fallback;
  }

  private static double number(Map<String, Object> c, String key, double fallback) {
    Object v = c.get(key);
    return v instanceof Number n ? n.doubleValue() : fallback;
  }

  private static boolean bool(Map<String, Object> c, String key, boolean fallback) {
    Object v = c.get(key);
    return v instanceof Boolean b ? b : fallback;
  }
}
