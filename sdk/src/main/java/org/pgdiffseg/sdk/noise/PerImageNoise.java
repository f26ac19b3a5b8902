package org.pgdiffseg.sdk.noise;

import static com.google.common.base.Preconditions.checkArgument;

/**
 * Noise for a batch of images sampled together: the buffer is split into one equal chunk per image and each
 * chunk is filled from that image's own torch-compatible stream of the seed, so every image gets exactly the
 * noise it would get sampled alone, whatever batch it is in. Not thread-safe.
 */
public final class PerImageNoise implements NoiseSource {
  private final TorchCompatibleNoise[] streams;
  private float[] chunk = new float[0];

  public PerImageNoise(int images, long seed) {
    checkArgument(images >= 1, "images must be at least 1, got %s", images);
    streams = new TorchCompatibleNoise[images];
    for (int i = 0; i < images; i++) {
      streams[i] = new TorchCompatibleNoise(seed);
    }
  }

  @Override
  public void fill(float[] out) {
    checkArgument(out.length % streams.length == 0, "%s values do not split into %s images", out.length,
        streams.length);
    int size = out.length / streams.length;
    if (chunk.length != size) {
      chunk = new float[size];
    }
    for (int i = 0; i < streams.length; i++) {
      streams[i].fill(chunk);
      System.arraycopy(chunk, 0, out, i * size, size);
    }
  }
}
