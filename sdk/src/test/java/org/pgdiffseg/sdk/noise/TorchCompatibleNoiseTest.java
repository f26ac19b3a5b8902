package org.pgdiffseg.sdk.noise;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.management.ThreadMXBean;
import java.lang.management.ManagementFactory;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

class TorchCompatibleNoiseTest {
  private static final Logger log = LoggerFactory.getLogger(TorchCompatibleNoiseTest.class);
  private static final double TOLERANCE = 1e-6;

  static List<NoiseFixtures.Case> torchCases() {
    return NoiseFixtures.cases();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("torchCases")
  void reproducesTorchRandn(NoiseFixtures.Case c) {
    float[] expected = c.expected();
    float[] actual = new float[expected.length];
    TorchCompatibleNoise noise = new TorchCompatibleNoise(c.seed(), c.kernel());
    int offset = 0;
    for (int n : c.calls()) {
      float[] call = new float[n];
      noise.fill(call);
      System.arraycopy(call, 0, actual, offset, n);
      offset += n;
    }
    assertThat(offset).isEqualTo(expected.length);

    double maxError = 0;
    int bitExact = 0;
    for (int i = 0; i < expected.length; i++) {
      maxError = Math.max(maxError, Math.abs((double) expected[i] - actual[i]));
      if (Float.floatToRawIntBits(expected[i]) == Float.floatToRawIntBits(actual[i])) {
        bitExact++;
      }
    }
    double exactFraction = (double) bitExact / expected.length;
    log.info("{}: {} values, max abs error {}, bit-exact {}", c, expected.length, maxError, exactFraction);
    assertThat(maxError).as("max abs error of %s", c).isLessThanOrEqualTo(TOLERANCE);
    if (c.kernel() == TorchCpuKernel.AVX2) {
      assertThat(exactFraction).as("bit-exact fraction of %s", c).isEqualTo(1.0);
    } else {
      // glibc's logf/sinf/cosf are not always correctly rounded; a one-ulp difference is expected rarely.
      assertThat(exactFraction).as("bit-exact fraction of %s", c).isGreaterThan(0.97);
    }
  }

  @Test
  void fixturesCoverBothPathsBothGeneratorsAndBothKernels() {
    List<NoiseFixtures.Case> cases = NoiseFixtures.cases();
    assertThat(cases).anyMatch(c -> Arrays.stream(c.calls()).anyMatch(n -> n < 16));
    assertThat(cases).anyMatch(c -> Arrays.stream(c.calls()).anyMatch(n -> n >= 16 && n % 16 != 0));
    assertThat(cases).anyMatch(c -> Arrays.stream(c.calls()).anyMatch(n -> n == 81920));
    assertThat(cases).anyMatch(NoiseFixtures.Case::defaultGenerator);
    assertThat(cases).anyMatch(c -> c.kernel() == TorchCpuKernel.PORTABLE);
    // A torch seed of 2^63 or more arrives as a negative long.
    assertThat(cases).anyMatch(c -> c.seed() < 0);
  }

  @Test
  void engineMatchesTheStandardMt19937CheckValue() {
    // C++ [rand.predef]: the 10000th output of a default-constructed std::mt19937 is 4123659995.
    Mt19937 engine = new Mt19937(5489);
    int value = 0;
    for (int i = 0; i < 10_000; i++) {
      value = engine.nextInt();
    }
    assertThat(Integer.toUnsignedLong(value)).isEqualTo(4123659995L);
  }

  @Test
  void onlyTheLow32BitsOfTheSeedMatter() {
    float[] a = new float[40];
    float[] b = new float[40];
    new TorchCompatibleNoise(5).fill(a);
    new TorchCompatibleNoise((1L << 32) + 5).fill(b);
    assertThat(b).containsExactly(a);
  }

  @Test
  void fillingARangeEqualsFillingAWholeArray() {
    TorchCompatibleNoise whole = new TorchCompatibleNoise(7);
    TorchCompatibleNoise ranged = new TorchCompatibleNoise(7);
    float[] buffer = new float[200];
    Arrays.fill(buffer, Float.NaN);
    for (int n : new int[] {3, 37, 16, 1}) {
      float[] expected = new float[n];
      whole.fill(expected);
      ranged.fill(buffer, 50, n);
      assertThat(Arrays.copyOfRange(buffer, 50, 50 + n)).containsExactly(expected);
    }
    assertThat(buffer[49]).isNaN();
    assertThat(buffer[50 + 37]).isNaN();
  }

  @Test
  void anEmptyCallDrawsNothing() {
    float[] a = new float[20];
    float[] b = new float[20];
    TorchCompatibleNoise withEmptyCall = new TorchCompatibleNoise(3);
    withEmptyCall.fill(new float[0]);
    withEmptyCall.fill(a);
    new TorchCompatibleNoise(3).fill(b);
    assertThat(a).containsExactly(b);
  }

  @Test
  void rejectsRangesOutsideTheArray() {
    TorchCompatibleNoise noise = new TorchCompatibleNoise(0);
    assertThatThrownBy(() -> noise.fill(new float[10], 5, 6)).isInstanceOf(IndexOutOfBoundsException.class);
    assertThatThrownBy(() -> noise.fill(new float[10], 0, -1)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> noise.fill(null)).isInstanceOf(NullPointerException.class);
  }

  @Test
  void fillDoesNotAllocate() {
    ThreadMXBean threads = (ThreadMXBean) ManagementFactory.getThreadMXBean();
    TorchCompatibleNoise noise = new TorchCompatibleNoise(11);
    float[] small = new float[5];
    float[] large = new float[16384 + 3];
    for (int i = 0; i < 200; i++) {
      noise.fill(small);
      noise.fill(large);
    }
    long before = threads.getCurrentThreadAllocatedBytes();
    for (int i = 0; i < 1000; i++) {
      noise.fill(small);
      noise.fill(large);
    }
    long allocated = threads.getCurrentThreadAllocatedBytes() - before;
    // Any per-call allocation would be at least 16 bytes a call, 32 000 bytes here.
    assertThat(allocated).isLessThan(2_000);
  }
}
