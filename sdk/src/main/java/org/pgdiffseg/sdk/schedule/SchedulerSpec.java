package org.pgdiffseg.sdk.schedule;

import static com.google.common.base.Preconditions.checkNotNull;

import java.util.List;

/**
 * A scheduler by name and configuration, without per-run state; {@link #create} makes a fresh
 * {@link Scheduler} for one run. Immutable and thread-safe.
 *
 * <p>CLI names: {@code ddpm}, {@code ddim}, {@code ddim-trailing} (DDIM whose steps end at t = T-1, so one step is
 * a single call at the noisiest timestep), {@code dpm++} (DPM-Solver++ 2M), {@code dpm++3} (3M),
 * {@code dpm++-sde} (SDE-DPM-Solver++ 2M), {@code dpm} (DPM-Solver 2M), {@code unipc} (UniPC bh2, order 2),
 * {@code unipc-p} (the predictor alone).
 */
public record SchedulerSpec(String name, SchedulerConfig config) {
  public static final List<String> NAMES = List.of("ddpm", "ddim", "ddim-trailing", "dpm++", "dpm++3", "dpm++-sde", "dpm", "unipc", "unipc-p");

  public SchedulerSpec {
    checkNotNull(name, "name");
    checkNotNull(config, "config");
  }

  public static SchedulerSpec ddpm() {
    return new SchedulerSpec("ddpm", DdpmConfig.defaults());
  }

  public static SchedulerSpec ddim() {
    return new SchedulerSpec("ddim", DdimConfig.defaults());
  }

  public static SchedulerSpec ddim(DdimConfig config) {
    return new SchedulerSpec("ddim", config);
  }

  public static SchedulerSpec dpmSolverPlusPlus(int order) {
    return new SchedulerSpec(order == 2 ? "dpm++" : "dpm++" + order, DpmSolverConfig.defaults().withSolverOrder(order));
  }

  public static SchedulerSpec dpmSolver(DpmSolverConfig config) {
    return new SchedulerSpec("dpm-solver", config);
  }

  public static SchedulerSpec uniPc() {
    return new SchedulerSpec("unipc", UniPcConfig.defaults());
  }

  public static SchedulerSpec uniPc(UniPcConfig config) {
    return new SchedulerSpec("unipc", config);
  }

  public static SchedulerSpec ddpm(DdpmConfig config) {
    return new SchedulerSpec("ddpm", config);
  }

  /** The scheduler for a CLI / manifest name (see the class comment). */
  public static SchedulerSpec parse(String name) {
    return switch (name) {
      case "ddpm" -> ddpm();
      case "ddim" -> ddim();
      case "ddim-trailing" -> new SchedulerSpec(name, DdimConfig.defaults().withTimestepSpacing("trailing"));
      case "dpm++" -> dpmSolverPlusPlus(2);
      case "dpm++3" -> dpmSolverPlusPlus(3);
      case "dpm++-sde" -> new SchedulerSpec(name, DpmSolverConfig.defaults().withAlgorithmType("sde-dpmsolver++"));
      case "dpm" -> new SchedulerSpec(name,
          DpmSolverConfig.defaults().withFinalSigmasType("sigma_min").withAlgorithmType("dpmsolver"));
      case "unipc" -> uniPc();
      case "unipc-p" -> new SchedulerSpec(name, UniPcConfig.defaults().correctorOff());
      default -> throw new IllegalArgumentException("unknown scheduler '" + name + "', expected one of " + NAMES);
    };
  }

  /**
   * {@code config} under the CLI name whose preset it is ({@code ddim-trailing} for DDIM with trailing spacing),
   * so that a record names the sampler that really ran; a configuration no preset matches is named after its
   * diffusers class ({@code diffusers:DDIMScheduler}) and is replayed from its full config.
   */
  public static SchedulerSpec named(SchedulerConfig config) {
    checkNotNull(config, "config");
    for (String name : NAMES) {
      SchedulerSpec preset = parse(name);
      if (preset.config().equals(config)) {
        return preset;
      }
    }
    return new SchedulerSpec("diffusers:" + config.diffusersClassName(), config);
  }

  /**
   * True when a step draws fresh noise (DDPM, DDIM with eta > 0, the SDE variants of DPM-Solver): only then do
   * samples that start from the same x_T differ, so only then is an ensemble from x_T = 0 worth its cost.
   */
  public boolean addsNoise() {
    return switch (config) {
      case DdpmConfig c -> true;
      case DdimConfig c -> c.eta() > 0;
      case DpmSolverConfig c -> c.algorithmType().startsWith("sde-");
      case UniPcConfig c -> false;
    };
  }

  /** A fresh scheduler on the model's noise schedule. */
  public Scheduler create(DiffusionSchedule schedule) {
    return switch (config) {
      case DdpmConfig c -> new DdpmScheduler(schedule, c);
      case DdimConfig c -> new DdimScheduler(schedule, c);
      case DpmSolverConfig c -> new DpmSolverMultistepScheduler(schedule, c);
      case UniPcConfig c -> new UniPcMultistepScheduler(schedule, c);
    };
  }

  @Override
  public String toString() {
    return name;
  }
}
