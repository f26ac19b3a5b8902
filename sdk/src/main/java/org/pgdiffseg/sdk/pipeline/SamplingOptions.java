package org.pgdiffseg.sdk.pipeline;

import static com.google.common.base.Preconditions.checkArgument;

import com.google.common.base.Preconditions;
import org.pgdiffseg.sdk.schedule.SchedulerSpec;

/**
 * How one image is sampled and turned into a mask: scheduler and steps, ensemble size K (run as one
 * batch of K), seed of the torch-compatible noise, mask threshold and optional cleanup. Immutable.
 */
public record SamplingOptions(
    SchedulerSpec scheduler, int steps, int ensemble, long seed, double maskThreshold,
    boolean keepLargestComponent, boolean fillHoles) {
  public SamplingOptions {
    Preconditions.checkNotNull(scheduler, "scheduler");
    checkArgument(steps >= 1, "steps must be at least 1, got %s", steps);
    checkArgument(ensemble >= 1 && ensemble <= 64, "ensemble must be in 1..64, got %s", ensemble);
    checkArgument(maskThreshold > 0 && maskThreshold < 1, "mask threshold must be in (0, 1), got %s", maskThreshold);
  }

  public SamplingOptions withScheduler(SchedulerSpec value) {
    return new SamplingOptions(value, steps, ensemble, seed, maskThreshold, keepLargestComponent, fillHoles);
  }

  public SamplingOptions withSteps(int value) {
    return new SamplingOptions(scheduler, value, ensemble, seed, maskThreshold, keepLargestComponent, fillHoles);
  }

  public SamplingOptions withEnsemble(int value) {
    return new SamplingOptions(scheduler, steps, value, seed, maskThreshold, keepLargestComponent, fillHoles);
  }

  public SamplingOptions withSeed(long value) {
    return new SamplingOptions(scheduler, steps, ensemble, value, maskThreshold, keepLargestComponent, fillHoles);
  }

  public SamplingOptions withMaskThreshold(double value) {
    return new SamplingOptions(scheduler, steps, ensemble, seed, value, keepLargestComponent, fillHoles);
  }

  public SamplingOptions withCleanup(boolean largestComponent, boolean holes) {
    return new SamplingOptions(scheduler, steps, ensemble, seed, maskThreshold, largestComponent, holes);
  }
}
