package org.pgdiffseg.sdk.noise;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class GaussianNoiseTest {
  @Test
  void sameSeedGivesSameStream() {
    float[] a = new float[1000];
    float[] b = new float[1000];
    new GaussianNoise(9).fill(a);
    new GaussianNoise(9).fill(b);
    assertThat(a).containsExactly(b);
  }

  @Test
  void samplesAreStandardNormal() {
    float[] x = new float[200_000];
    new GaussianNoise(1).fill(x);
    double sum = 0;
    double sumSquares = 0;
    for (float v : x) {
      sum += v;
      sumSquares += (double) v * v;
    }
    double mean = sum / x.length;
    // Standard error of the mean is 1/sqrt(n) ~ 0.0022; of the variance sqrt(2/n) ~ 0.0032.
    assertThat(mean).isCloseTo(0.0, within(0.015));
    assertThat(sumSquares / x.length - mean * mean).isCloseTo(1.0, within(0.02));
  }
}
