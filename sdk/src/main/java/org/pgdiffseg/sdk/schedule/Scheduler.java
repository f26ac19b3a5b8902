package org.pgdiffseg.sdk.schedule;

import org.pgdiffseg.sdk.noise.NoiseSource;

/**
 * A diffusion sampler with the contract of diffusers' {@code SchedulerMixin}: {@link #setTimesteps},
 * then one {@link #step} per timestep in order. Per-run state (multistep history, step index) is reset
 * by {@code setTimesteps}. Not thread-safe: an instance serves one run at a time.
 */
public interface Scheduler {
  /** Prepares a run of {@code numInferenceSteps} steps; resets the per-run state. */
  void setTimesteps(int numInferenceSteps);

  /** The run's timesteps, in the order the steps take them (a copy). */
  int[] timesteps();

  int numInferenceSteps();

  /**
   * One update: from the model output at {@code timestep} and the current {@code sample}, writes the
   * previous sample into {@code prevSampleOut} and, when {@code x0Out} is not null, the predicted clean
   * sample into {@code x0Out}. Draws noise from {@code noise} only where the sampler is stochastic.
   * Allocates nothing after the first step of a run.
   *
   * @throws IllegalStateException before {@link #setTimesteps}, or past the last step
   */
  void step(float[] modelOutput, int timestep, float[] sample, NoiseSource noise, float[] prevSampleOut, float[] x0Out);
}
