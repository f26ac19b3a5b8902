package org.pgdiffseg.sdk.schedule;

import static com.google.common.base.Preconditions.checkArgument;

/** DDIMScheduler options; defaults equal diffusers' (eta is a step argument there, a setting here). */
public record DdimConfig(double eta, boolean clipSample, double clipSampleRange, boolean setAlphaToOne,
                         String timestepSpacing, int stepsOffset) implements SchedulerConfig {
  public DdimConfig {
    checkArgument(eta >= 0, "eta must be >= 0, got %s", eta);
    checkArgument(clipSampleRange > 0, "clip_sample_range must be positive");
    TimestepSpacing.fromConfig(timestepSpacing);
  }

  public static DdimConfig defaults() {
    return new DdimConfig(0.0, true, 1.0, true, "leading", 0);
  }

  public DdimConfig withEta(double value) {
    return new DdimConfig(value, clipSample, clipSampleRange, setAlphaToOne, timestepSpacing, stepsOffset);
  }

  public DdimConfig withTimestepSpacing(String value) {
    return new DdimConfig(eta, clipSample, clipSampleRange, setAlphaToOne, value, stepsOffset);
  }
}
