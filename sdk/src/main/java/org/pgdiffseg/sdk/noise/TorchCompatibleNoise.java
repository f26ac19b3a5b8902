package org.pgdiffseg.sdk.noise;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;
import static com.google.common.base.Preconditions.checkPositionIndexes;


/**
 * Standard normal noise equal to PyTorch's CPU stream: a new instance is {@code
 * torch.Generator().manual_seed(seed)} (or {@code torch.manual_seed(seed)} on the default generator), and
 * each {@link #fill(float[])} is one {@code torch.randn(out.length, generator=g, dtype=torch.float32)} on it,
 * so consecutive calls continue the stream as consecutive torch calls do.
 *
 * <p>Like torch it has two paths. A call of fewer than 16 values draws each from a double-precision
 * Box-Muller pair (two 53-bit uniforms) and keeps the unused second value of the pair for the next such
 * value, even across calls. A call of 16 or more fills the output with 24-bit float uniforms, turns each
 * block of 16 into 8 Box-Muller pairs in float, and for a length that is not a multiple of 16 draws 16
 * fresh uniforms for the last 16 positions and transforms them again.
 *
 * <p>No allocation after construction. Not thread-safe: one instance serves one sampling run.
 */
public final class TorchCompatibleNoise implements NoiseSource {
  /** Below this many values torch uses its scalar double-precision path. */
  static final int VECTOR_PATH_MIN_LENGTH = 16;

  private static final int HALF_BLOCK = 8;
  private static final float FLOAT_UNIFORM_SCALE = 0x1.0p-24f;
  private static final double DOUBLE_UNIFORM_SCALE = 0x1.0p-53;
  private static final long DOUBLE_UNIFORM_MASK = (1L << 53) - 1;
  private static final float TWO_PI_FLOAT = (float) (2.0 * Math.PI);

  private final Mt19937 engine;
  private final TorchCpuKernel kernel;
  private final float[] sinCos = new float[2];
  private double cachedNormal;
  private boolean hasCachedNormal;

  /** The stream of {@code manual_seed(seed)} under the AVX2 kernel. */
  public TorchCompatibleNoise(long seed) {
    this(seed, TorchCpuKernel.AVX2);
  }

  /**
   * The stream of {@code manual_seed(seed)} under the given kernel. A torch seed above {@link Long#MAX_VALUE}
   * is passed as the long with the same 64 bits; only the low 32 bits reach the Mersenne Twister.
   */
  public TorchCompatibleNoise(long seed, TorchCpuKernel kernel) {
    this.engine = new Mt19937(seed);
    this.kernel = checkNotNull(kernel, "kernel");
  }

  public TorchCpuKernel kernel() {
    return kernel;
  }

  @Override
  public void fill(float[] out) {
    fill(out, 0, out.length);
  }

  /** Same as one {@code torch.randn(length)} written to {@code out[offset, offset + length)}. */
  public void fill(float[] out, int offset, int length) {
    checkNotNull(out, "out");
    checkArgument(length >= 0, "length must be >= 0, got %s", length);
    checkPositionIndexes(offset, offset + length, out.length);
    if (length < VECTOR_PATH_MIN_LENGTH) {
      for (int i = 0; i < length; i++) {
        out[offset + i] = (float) nextDoubleNormal();
      }
      return;
    }
    int end = offset + length;
    fillUniform(out, offset, end);
    for (int block = offset; block <= end - VECTOR_PATH_MIN_LENGTH; block += VECTOR_PATH_MIN_LENGTH) {
      boxMuller16(out, block);
    }
    if (length % VECTOR_PATH_MIN_LENGTH != 0) {
      // torch redraws the last 16 positions rather than handling a partial block.
      int tail = end - VECTOR_PATH_MIN_LENGTH;
      fillUniform(out, tail, end);
      boxMuller16(out, tail);
    }
  }

  /** {@code at::uniform_real_distribution<float>(0, 1)}: the low 24 bits of one draw, times 2^-24. */
  private void fillUniform(float[] out, int from, int to) {
    for (int i = from; i < to; i++) {
      out[i] = (engine.nextInt() & 0xffffff) * FLOAT_UNIFORM_SCALE;
    }
  }

  /** {@code at::normal_distribution<double>(0, 1)} with the generator's cached second value. */
  private double nextDoubleNormal() {
    if (hasCachedNormal) {
      hasCachedNormal = false;
      return cachedNormal;
    }
    double u1 = (engine.nextLong() & DOUBLE_UNIFORM_MASK) * DOUBLE_UNIFORM_SCALE;
    double u2 = (engine.nextLong() & DOUBLE_UNIFORM_MASK) * DOUBLE_UNIFORM_SCALE;
    double radius = Math.sqrt(-2.0 * StrictMath.log1p(-u2));
    double theta = 2.0 * Math.PI * u1;
    // Double results within an ulp of glibc's round to the same float in all but rare ties; Math.sin/cos
    // because StrictMath's allocate a scratch array for arguments beyond pi/4.
    cachedNormal = radius * Math.sin(theta);
    hasCachedNormal = true;
    return radius * Math.cos(theta);
  }

  /** In place: data[j] and data[j + 8] become the pair from uniforms data[j] and data[j + 8]. */
  private void boxMuller16(float[] data, int at) {
    for (int j = at; j < at + HALF_BLOCK; j++) {
      // 1 - u maps [0, 1) to (0, 1] so the logarithm is finite.
      float u1 = 1f - data[j];
      float u2 = data[j + HALF_BLOCK];
      float radius;
      float sin;
      float cos;
      if (kernel == TorchCpuKernel.AVX2) {
        radius = (float) Math.sqrt(-2f * CephesFloatMath.log(u1));
        CephesFloatMath.sinCos(TWO_PI_FLOAT * u2, sinCos, 0);
        sin = sinCos[0];
        cos = sinCos[1];
      } else {
        radius = (float) Math.sqrt(-2f * (float) Math.log(u1));
        // The portable kernel forms the angle in double (2.0f * pi<double> * u2) before rounding.
        float theta = (float) (2.0 * Math.PI * u2);
        sin = (float) Math.sin(theta);
        cos = (float) Math.cos(theta);
      }
      // torch writes fma(n, std, mean) with std 1 and mean 0: n + 0, which turns -0 into +0.
      data[j] = radius * cos + 0f;
      data[j + HALF_BLOCK] = radius * sin + 0f;
    }
  }
}
