package org.pgdiffseg.sdk.schedule;

import static com.google.common.base.Preconditions.checkArgument;

import java.util.Set;

/** DDPMScheduler options; defaults equal diffusers' and names map 1:1 to its config keys. */
public record DdpmConfig(String varianceType, boolean clipSample, double clipSampleRange, String timestepSpacing,
                         int stepsOffset) implements SchedulerConfig {
  static final Set<String> VARIANCE_TYPES = Set.of("fixed_small", "fixed_small_log", "fixed_large", "fixed_large_log");

  public DdpmConfig {
    checkArgument(VARIANCE_TYPES.contains(varianceType),
        "variance_type must be one of %s (learned variances need a model that predicts them), got %s",
        VARIANCE_TYPES, varianceType);
    checkArgument(clipSampleRange > 0, "clip_sample_range must be positive");
    TimestepSpacing.fromConfig(timestepSpacing);
  }

  public static DdpmConfig defaults() {
    return new DdpmConfig("fixed_small", true, 1.0, "leading", 0);
  }
}
