package org.pgdiffseg.sdk.schedule;

import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reads a diffusers {@code scheduler_config.json} (as a map of its keys) into this SDK's types, so a
 * configuration written for diffusers means the same here. Every key of the four schedulers is implemented or
 * refused by name when set to a value that would change what diffusers does ({@link DiffusersKeys}); a value of
 * the wrong type is refused too, rather than read as the default.
 */
public final class DiffusersConfig {
  private DiffusersConfig() {}

  /** The noise schedule part of a diffusers config (defaults: diffusers'). */
  public static DiffusionSchedule schedule(Map<String, Object> c) {
    DiffusersKeys.refuseUnsupportedSchedule(c);
    int trainSteps = integer(c, "num_train_timesteps", 1000, DiffusionSchedule.MIN_TRAIN_TIMESTEPS,
        DiffusionSchedule.MAX_TRAIN_TIMESTEPS);
    double betaStart = number(c, "beta_start", 1e-4);
    double betaEnd = number(c, "beta_end", 0.02);
    DiffusionSchedule.checkBetas(betaStart, betaEnd);
    return new DiffusionSchedule(trainSteps, string(c, "beta_schedule", "linear"), betaStart, betaEnd,
        string(c, "prediction_type", "epsilon"));
  }

  /**
   * The sampler of a diffusers config, by its class name (DDPMScheduler, DDIMScheduler, ...), named as
   * {@link SchedulerSpec#named} names it.
   */
  public static SchedulerSpec scheduler(String className, Map<String, Object> c) {
    return SchedulerSpec.named(config(className, c));
  }

  private static SchedulerConfig config(String className, Map<String, Object> c) {
    if (!DiffusersKeys.CLASSES.contains(className)) {
      throw new IllegalArgumentException("unsupported scheduler class '" + className + "', expected one of "
          + DiffusersKeys.CLASSES);
    }
    DiffusersKeys.refuseUnsupported(className, c);
    checkRanges(c);
    String spacing = string(c, "timestep_spacing", null);
    int offset = integer(c, "steps_offset", 0);
    return switch (className) {
      case "DDPMScheduler" -> new DdpmConfig(string(c, "variance_type", "fixed_small"),
          bool(c, "clip_sample", true), number(c, "clip_sample_range", 1.0), spacing == null ? "leading" : spacing, offset);
      case "DDIMScheduler" -> new DdimConfig(number(c, "eta", 0.0), bool(c, "clip_sample", true),
          number(c, "clip_sample_range", 1.0), bool(c, "set_alpha_to_one", true), spacing == null ? "leading" : spacing, offset);
      case "DPMSolverMultistepScheduler" -> new DpmSolverConfig(integer(c, "solver_order", 2),
          dpmAlgorithm(string(c, "algorithm_type", "dpmsolver++"), string(c, "final_sigmas_type", "zero")),
          dpmSolverType(string(c, "solver_type", "midpoint")), bool(c, "lower_order_final", true),
          bool(c, "euler_at_final", false), string(c, "final_sigmas_type", "zero"), spacing == null ? "linspace" : spacing,
          offset, bool(c, "use_karras_sigmas", false), number(c, "lambda_min_clipped", Double.NEGATIVE_INFINITY));
      default -> {   // UniPCMultistepScheduler
        Set<Integer> disabled = new HashSet<>();
        Object corrector = c.get("disable_corrector");
        if (corrector instanceof List<?> list) {
          for (int i = 0; i < list.size(); i++) {
            // -1 is this SDK's "every step" (UniPcConfig.correctorOff), as toConfig writes it.
            disabled.add(between("disable_corrector[" + i + "]", wholeNumber("disable_corrector[" + i + "]", list.get(i)),
                -1, DiffusionSchedule.MAX_TRAIN_TIMESTEPS));
          }
        } else if (corrector != null) {
          throw wrongType("disable_corrector", corrector, "a list of step indices");
        }
        yield new UniPcConfig(integer(c, "solver_order", 2),
            uniPcSolverType(string(c, "solver_type", "bh2")), bool(c, "lower_order_final", true), disabled,
            string(c, "final_sigmas_type", "zero"), spacing == null ? "linspace" : spacing, offset,
            bool(c, "use_karras_sigmas", false), nullableNumber(c, "sigma_min"), nullableNumber(c, "sigma_max"));
      }
    };
  }

  /**
   * The diffusers {@code scheduler_config.json} content (as a map, {@code _class_name} first) of {@code spec} on
   * {@code schedule}: what {@link #schedule} and {@link #scheduler} read back to the same settings, and what
   * diffusers' {@code from_config} reads to the same scheduler. Options at diffusers' "none" value (no lambda
   * clipping, Karras sigma bounds from the schedule) are left out, as JSON has no -Infinity.
   */
  public static Map<String, Object> toConfig(SchedulerSpec spec, DiffusionSchedule schedule) {
    Map<String, Object> c = new LinkedHashMap<>();
    c.put("_class_name", spec.config().diffusersClassName());
    c.put("num_train_timesteps", schedule.numTrainTimesteps());
    c.put("beta_schedule", schedule.betaSchedule());
    c.put("beta_start", schedule.betaStart());
    c.put("beta_end", schedule.betaEnd());
    c.put("prediction_type", schedule.predictionType().diffusersName());
    switch (spec.config()) {
      case DdpmConfig d -> {
        c.put("variance_type", d.varianceType());
        c.put("clip_sample", d.clipSample());
        c.put("clip_sample_range", d.clipSampleRange());
        c.put("timestep_spacing", d.timestepSpacing());
        c.put("steps_offset", d.stepsOffset());
      }
      case DdimConfig d -> {
        c.put("eta", d.eta());
        c.put("clip_sample", d.clipSample());
        c.put("clip_sample_range", d.clipSampleRange());
        c.put("set_alpha_to_one", d.setAlphaToOne());
        c.put("timestep_spacing", d.timestepSpacing());
        c.put("steps_offset", d.stepsOffset());
      }
      case DpmSolverConfig d -> {
        c.put("solver_order", d.solverOrder());
        c.put("algorithm_type", d.algorithmType());
        c.put("solver_type", d.solverType());
        c.put("lower_order_final", d.lowerOrderFinal());
        c.put("euler_at_final", d.eulerAtFinal());
        c.put("final_sigmas_type", d.finalSigmasType());
        c.put("timestep_spacing", d.timestepSpacing());
        c.put("steps_offset", d.stepsOffset());
        c.put("use_karras_sigmas", d.useKarrasSigmas());
        if (Double.isFinite(d.lambdaMinClipped())) {
          c.put("lambda_min_clipped", d.lambdaMinClipped());
        }
      }
      case UniPcConfig d -> {
        c.put("solver_order", d.solverOrder());
        c.put("solver_type", d.solverType());
        c.put("lower_order_final", d.lowerOrderFinal());
        c.put("disable_corrector", d.disableCorrector().stream().sorted().toList());
        c.put("final_sigmas_type", d.finalSigmasType());
        c.put("timestep_spacing", d.timestepSpacing());
        c.put("steps_offset", d.stepsOffset());
        c.put("use_karras_sigmas", d.useKarrasSigmas());
        if (d.sigmaMin() != null) {
          c.put("sigma_min", d.sigmaMin());
        }
        if (d.sigmaMax() != null) {
          c.put("sigma_max", d.sigmaMax());
        }
      }
    }
    return c;
  }

  /** {@link #scheduler} for a whole scheduler_config.json map, its class taken from {@code _class_name}. */
  public static SchedulerSpec scheduler(Map<String, Object> c) {
    Object className = c.get("_class_name");
    if (!(className instanceof String name)) {
      throw new IllegalArgumentException("scheduler config has no _class_name naming the diffusers scheduler class");
    }
    return scheduler(name, c);
  }

  /**
   * diffusers' DPMSolverMultistepScheduler turns DEIS into DPM-Solver++ (register_to_config in __init__), after
   * refusing a zero final sigma for it as for the noise-prediction algorithms.
   */
  private static String dpmAlgorithm(String value, String finalSigmasType) {
    if (!value.equals("deis")) {
      return value;
    }
    if (finalSigmasType.equals("zero")) {
      throw new IllegalArgumentException("final_sigmas_type zero is not supported for algorithm_type deis "
          + "(diffusers refuses it); use sigma_min");
    }
    return "dpmsolver++";
  }

  /** ... and the solver types of DEIS and UniPC into midpoint. */
  private static String dpmSolverType(String value) {
    return Set.of("logrho", "bh1", "bh2").contains(value) ? "midpoint" : value;
  }

  /** UniPCMultistepScheduler turns the other solvers' types into bh2. */
  private static String uniPcSolverType(String value) {
    return Set.of("midpoint", "heun", "logrho").contains(value) ? "bh2" : value;
  }

  /**
   * The ranges of the numeric keys the constructors of the configs do not bound already, so a value that parses
   * but cannot work is refused by name when the config is read (docs/bundle-format.md, "Value ranges"). Inert keys
   * are checked too: a config that diffusers would load has them in range.
   */
  private static void checkRanges(Map<String, Object> c) {
    integer(c, "steps_offset", 0, 0, DiffusionSchedule.MAX_TRAIN_TIMESTEPS - 1);
    integer(c, "solver_order", 2, 1, 3);
    within("clip_sample_range", nullableNumber(c, "clip_sample_range"), 0, false, 100, "(0, 100]");
    within("eta", nullableNumber(c, "eta"), 0, true, 1, "[0, 1]");
    within("sigma_min", nullableNumber(c, "sigma_min"), 0, false, 1e6, "(0, 1e6]");
    within("sigma_max", nullableNumber(c, "sigma_max"), 0, false, 1e6, "(0, 1e6]");
    Double sigmaMin = nullableNumber(c, "sigma_min");
    Double sigmaMax = nullableNumber(c, "sigma_max");
    if (sigmaMin != null && sigmaMax != null && !(sigmaMin < sigmaMax)) {
      throw new IllegalArgumentException("sigma_min is " + sigmaMin + ", expected less than sigma_max (" + sigmaMax + ")");
    }
    Double lambda = nullableNumber(c, "lambda_min_clipped");
    if (lambda != null && (Double.isNaN(lambda) || lambda == Double.POSITIVE_INFINITY)) {
      throw new IllegalArgumentException("lambda_min_clipped is " + lambda + ", expected a number or -Infinity");
    }
    within("dynamic_thresholding_ratio", nullableNumber(c, "dynamic_thresholding_ratio"), 0, false, 1, "(0, 1]");
    within("sample_max_value", nullableNumber(c, "sample_max_value"), 0, false, 1e6, "(0, 1e6]");
    within("flow_shift", nullableNumber(c, "flow_shift"), 0, false, 1e3, "(0, 1000]");
    for (String key : List.of("timestep_spacing", "variance_type", "algorithm_type", "solver_type", "final_sigmas_type",
        "time_shift_type", "_diffusers_version")) {
      string(c, key, null);
    }
    for (String key : List.of("clip_sample", "set_alpha_to_one", "lower_order_final", "euler_at_final",
        "use_karras_sigmas")) {
      bool(c, key, false);
    }
  }

  private static int between(String key, long value, int min, int max) {
    if (value < min || value > max) {
      throw new IllegalArgumentException(key + " is " + value + ", expected " + min + ".." + max);
    }
    return (int) value;
  }

  private static void within(String key, Double value, double min, boolean minIncluded, double max, String range) {
    if (value != null && !((minIncluded ? value >= min : value > min) && value <= max)) {
      throw new IllegalArgumentException(key + " is " + value + ", expected a number in " + range);
    }
  }

  private static String string(Map<String, Object> c, String key, String fallback) {
    Object v = c.get(key);
    if (v == null) {
      return fallback;
    }
    if (v instanceof String text) {
      return text;
    }
    throw wrongType(key, v, "a string");
  }

  private static int integer(Map<String, Object> c, String key, int fallback) {
    return integer(c, key, fallback, Integer.MIN_VALUE, Integer.MAX_VALUE);
  }

  private static int integer(Map<String, Object> c, String key, int fallback, int min, int max) {
    Object v = c.get(key);
    return v == null ? fallback : between(key, wholeNumber(key, v), min, max);
  }

  /** An integer, or a number with no fractional part (1000.0), as Python's json writes either. */
  private static long wholeNumber(String key, Object v) {
    if (v instanceof Number n && n.doubleValue() == Math.rint(n.doubleValue())
        && Math.abs(n.doubleValue()) < 0x1p62) {
      return n.longValue();
    }
    throw wrongType(key, v, "an integer");
  }

  private static double number(Map<String, Object> c, String key, double fallback) {
    Double v = nullableNumber(c, key);
    return v == null ? fallback : v;
  }

  private static Double nullableNumber(Map<String, Object> c, String key) {
    Object v = c.get(key);
    if (v == null) {
      return null;
    }
    if (v instanceof Number n) {
      return n.doubleValue();
    }
    throw wrongType(key, v, "a number");
  }

  private static boolean bool(Map<String, Object> c, String key, boolean fallback) {
    Object v = c.get(key);
    if (v == null) {
      return fallback;
    }
    if (v instanceof Boolean b) {
      return b;
    }
    throw wrongType(key, v, "true or false");
  }

  /** Names the key, the type expected and the JSON type and value found. */
  private static IllegalArgumentException wrongType(String key, Object value, String expected) {
    String text = value instanceof String ? "\"" + value + "\"" : String.valueOf(value);
    if (text.length() > 60) {
      text = text.substring(0, 57) + "...";
    }
    return new IllegalArgumentException(key + " is " + text + " (" + jsonType(value) + "), expected " + expected);
  }

  private static String jsonType(Object value) {
    return switch (value) {
      case String s -> "a string";
      case Boolean b -> "a boolean";
      case Integer i -> "an integer";
      case Long l -> "an integer";
      case java.math.BigInteger b -> "an integer";
      case Number n -> "a number";
      case List<?> l -> "a list";
      case Map<?, ?> m -> "an object";
      default -> value.getClass().getSimpleName();
    };
  }
}
