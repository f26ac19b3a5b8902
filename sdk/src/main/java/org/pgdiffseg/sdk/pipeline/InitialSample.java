package org.pgdiffseg.sdk.pipeline;

import java.util.Arrays;

/**
 * Where the sampling loop starts. {@link #NOISE} is x_T ~ N(0, I) from the seed, as diffusers' pipelines do.
 * {@link #ZEROS} starts from x_T = 0, the mean of that distribution: with a deterministic sampler the result then
 * no longer depends on the seed, and a model trained to predict v turns its first step at t = T-1 into its best
 * single guess of the mask. The initial noise is still drawn (and discarded) with ZEROS, so any later noise of a
 * stochastic scheduler comes from the same place in the torch.randn stream as in the reference pipeline.
 */
public enum InitialSample {
  NOISE("noise"),
  ZEROS("zeros");

  private final String manifestName;

  InitialSample(String manifestName) {
    this.manifestName = manifestName;
  }

  /** The name in bundle manifests and on the command line. */
  public String manifestName() {
    return manifestName;
  }

  public static InitialSample of(String name) {
    for (InitialSample s : values()) {
      if (s.manifestName.equals(name)) {
        return s;
      }
    }
    throw new IllegalArgumentException("initial sample must be one of "
        + Arrays.stream(values()).map(InitialSample::manifestName).toList() + ", got " + name);
  }
}
