package org.pgdiffseg.sdk.noise;

/**
 * Source of standard normal noise for a sampling run.
 *
 * <p>One call of torch.randn(out.length) on the run's generator; implementations are not thread-safe.
 */
public interface NoiseSource {
  /** Fills {@code out} with the next {@code out.length} standard normal samples of the stream. */
  void fill(float[] out);
}
