package org.pgdiffseg.sdk.noise;

/**
 * The 32-bit Mersenne Twister exactly as PyTorch's CPU generator runs it ({@code at::mt19937}): seeded with
 * the low 32 bits of the seed by the 2002 {@code init_genrand} recurrence, state regenerated in one pass
 * when exhausted. Not thread-safe.
 */
final class Mt19937 {
  private static final int N = 624;
  private static final int M = 397;
  private static final int MATRIX_A = 0x9908b0df;
  private static final int UPPER_MASK = 0x80000000;
  private static final int LOWER_MASK = 0x7fffffff;

  private final int[] state = new int[N];
  private int next;

  Mt19937(long seed) {
    // Only the low 32 bits take part, as in at::mt19937_engine::init_with_uint32.
    state[0] = (int) seed;
    for (int j = 1; j < N; j++) {
      state[j] = 1812433253 * (state[j - 1] ^ (state[j - 1] >>> 30)) + j;
    }
    next = N;
  }

  /** The next 32 random bits (torch's {@code CPUGeneratorImpl::random()}). */
  int nextInt() {
    if (next == N) {
      regenerate();
    }
    int y = state[next++];
    y ^= y >>> 11;
    y ^= (y << 7) & 0x9d2c5680;
    y ^= (y << 15) & 0xefc60000;
    y ^= y >>> 18;
    return y;
  }

  /** Two draws, the first in the high half (torch's {@code CPUGeneratorImpl::random64()}). */
  long nextLong() {
    long hi = nextInt() & 0xffffffffL;
    long lo = nextInt() & 0xffffffffL;
    return (hi << 32) | lo;
  }

  private void regenerate() {
    int k = 0;
    for (; k < N - M; k++) {
      state[k] = state[k + M] ^ twist(state[k], state[k + 1]);
    }
    for (; k < N - 1; k++) {
      state[k] = state[k + M - N] ^ twist(state[k], state[k + 1]);
    }
    state[N - 1] = state[M - 1] ^ twist(state[N - 1], state[0]);
    next = 0;
  }

  private static int twist(int u, int v) {
    int mixed = (u & UPPER_MASK) | (v & LOWER_MASK);
    return (mixed >>> 1) ^ ((v & 1) != 0 ? MATRIX_A : 0);
  }
}
