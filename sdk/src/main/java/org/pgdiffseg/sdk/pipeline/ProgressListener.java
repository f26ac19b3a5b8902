package org.pgdiffseg.sdk.pipeline;

/** Called on the segmenting thread after each denoising step; keep it short and allocation-free. */
@FunctionalInterface
public interface ProgressListener {
  ProgressListener NONE = (step, totalSteps, timestep) -> {};

  /** {@code step} counts from 1 to {@code totalSteps}; {@code timestep} is the scheduler's t of that step. */
  void onStep(int step, int totalSteps, int timestep);
}
