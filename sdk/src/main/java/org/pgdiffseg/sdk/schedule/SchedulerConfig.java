package org.pgdiffseg.sdk.schedule;

/** The configuration of one of the four schedulers, as diffusers' scheduler config names it. */
public sealed interface SchedulerConfig permits DdpmConfig, DdimConfig, DpmSolverConfig, UniPcConfig {
  /** The diffusers class this configures ({@code _class_name} of a scheduler_config.json). */
  default String diffusersClassName() {
    return switch (this) {
      case DdpmConfig c -> "DDPMScheduler";
      case DdimConfig c -> "DDIMScheduler";
      case DpmSolverConfig c -> "DPMSolverMultistepScheduler";
      case UniPcConfig c -> "UniPCMultistepScheduler";
    };
  }
}
