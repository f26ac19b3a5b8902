package org.pgdiffseg.sdk.schedule;

import org.pgdiffseg.sdk.noise.NoiseSource;
import static com.google.common.base.Preconditions.checkState;

/** The timesteps of the current run, shared by every scheduler: set by setTimesteps, read by the rest. */
abstract class RunTimesteps implements Scheduler {
  /** Null until {@link #setTimesteps}; descending. */
  protected int[] timesteps;
  private float[] noise;

  @Override
  public final int[] timesteps() {
    return requireRun().clone();
  }

  @Override
  public final int numInferenceSteps() {
    return requireRun().length;
  }

  protected final int[] requireRun() {
    checkState(timesteps != null, "call setTimesteps before using the scheduler");
    return timesteps;
  }

  /** A noise buffer of {@code length} values that the scheduler reuses from step to step. */
  protected final float[] noiseBuffer(int length) {
    if (noise == null || noise.length != length) {
      noise = new float[length];
    }
    return noise;
  }

  /** The next {@code length} values of the source, in the reused noise buffer. */
  protected final float[] nextNoise(NoiseSource source, int length) {
    float[] buffer = noiseBuffer(length);
    source.fill(buffer);
    return buffer;
  }
}
