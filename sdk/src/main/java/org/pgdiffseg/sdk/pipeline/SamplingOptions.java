package org.pgdiffseg.sdk.pipeline;

import static com.google.common.base.Preconditions.checkArgument;

import com.google.common.base.Preconditions;
import org.pgdiffseg.sdk.bundle.ManifestLimits;
import org.pgdiffseg.sdk.schedule.SchedulerSpec;

/**
 * How one image is sampled and turned into a mask: scheduler and steps, ensemble size K (run as one
 * batch of K), seed of the torch-compatible noise, mask threshold, optional cleanup, and where the loop
 * starts ({@link InitialSample}), and whether each image is averaged with its horizontal mirror
 * ({@code flipAverage}: the image and its mirror sampled as one batch of 2K, see {@link FlipAverage}). Immutable.
 */
public record SamplingOptions(
    SchedulerSpec scheduler, int steps, int ensemble, long seed, double maskThreshold,
    boolean keepLargestComponent, boolean fillHoles, InitialSample initialSample, boolean flipAverage) {
  public SamplingOptions {
    Preconditions.checkNotNull(scheduler, "scheduler");
    Preconditions.checkNotNull(initialSample, "initialSample");
    // No schedule has more timesteps to visit; the bundle's own num_train_timesteps is checked by the Segmenter.
    checkArgument(steps >= 1 && steps <= ManifestLimits.MAX_TRAIN_TIMESTEPS, "steps must be in 1..%s, got %s",
        ManifestLimits.MAX_TRAIN_TIMESTEPS, steps);
    checkArgument(ensemble >= 1 && ensemble <= ManifestLimits.MAX_ENSEMBLE, "ensemble must be in 1..%s, got %s",
        ManifestLimits.MAX_ENSEMBLE, ensemble);
    checkArgument(maskThreshold > 0 && maskThreshold < 1, "mask threshold must be in (0, 1), got %s", maskThreshold);
  }

  /** Options that start from noise, as diffusers' pipelines do. */
  public SamplingOptions(SchedulerSpec scheduler, int steps, int ensemble, long seed, double maskThreshold,
      boolean keepLargestComponent, boolean fillHoles) {
    this(scheduler, steps, ensemble, seed, maskThreshold, keepLargestComponent, fillHoles, InitialSample.NOISE);
  }

  /** Options without flip averaging. */
  public SamplingOptions(SchedulerSpec scheduler, int steps, int ensemble, long seed, double maskThreshold,
      boolean keepLargestComponent, boolean fillHoles, InitialSample initialSample) {
    this(scheduler, steps, ensemble, seed, maskThreshold, keepLargestComponent, fillHoles, initialSample, false);
  }

  public SamplingOptions withFlipAverage(boolean value) {
    return new SamplingOptions(scheduler, steps, ensemble, seed, maskThreshold, keepLargestComponent, fillHoles,
        initialSample, value);
  }

  public SamplingOptions withInitialSample(InitialSample value) {
    return new SamplingOptions(scheduler, steps, ensemble, seed, maskThreshold, keepLargestComponent, fillHoles, value, flipAverage);
  }

  public SamplingOptions withScheduler(SchedulerSpec value) {
    return new SamplingOptions(value, steps, ensemble, seed, maskThreshold, keepLargestComponent, fillHoles, initialSample, flipAverage);
  }

  public SamplingOptions withSteps(int value) {
    return new SamplingOptions(scheduler, value, ensemble, seed, maskThreshold, keepLargestComponent, fillHoles, initialSample, flipAverage);
  }

  public SamplingOptions withEnsemble(int value) {
    return new SamplingOptions(scheduler, steps, value, seed, maskThreshold, keepLargestComponent, fillHoles, initialSample, flipAverage);
  }

  public SamplingOptions withSeed(long value) {
    return new SamplingOptions(scheduler, steps, ensemble, value, maskThreshold, keepLargestComponent, fillHoles, initialSample, flipAverage);
  }

  public SamplingOptions withMaskThreshold(double value) {
    return new SamplingOptions(scheduler, steps, ensemble, seed, value, keepLargestComponent, fillHoles, initialSample, flipAverage);
  }

  public SamplingOptions withCleanup(boolean largestComponent, boolean holes) {
    return new SamplingOptions(scheduler, steps, ensemble, seed, maskThreshold, largestComponent, holes, initialSample, flipAverage);
  }
}
