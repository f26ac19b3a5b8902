package org.pgdiffseg.sdk.noise;

import static com.google.common.base.Preconditions.checkNotNull;

import java.util.SplittableRandom;

/**
 * Standard normal noise from {@link SplittableRandom} (its ziggurat {@code nextGaussian}): reproducible for a
 * seed within this library and faster than {@link TorchCompatibleNoise}, but not the stream PyTorch draws,
 * so a run with it cannot be compared sample for sample with a PyTorch run. Not thread-safe.
 */
public final class GaussianNoise implements NoiseSource {
  private final SplittableRandom random;

  public GaussianNoise(long seed) {
    this.random = new SplittableRandom(seed);
  }

  @Override
  public void fill(float[] out) {
    checkNotNull(out, "out");
    for (int i = 0; i < out.length; i++) {
      out[i] = (float) random.nextGaussian();
    }
  }
}
