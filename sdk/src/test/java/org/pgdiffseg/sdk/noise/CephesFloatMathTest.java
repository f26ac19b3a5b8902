package org.pgdiffseg.sdk.noise;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class CephesFloatMathTest {
  @Test
  void logIsAccurateOnTheBoxMullerDomain() {
    // u1 = 1 - u with u a multiple of 2^-24 in [0, 1).
    for (int k = 1; k <= 1 << 24; k += 997) {
      float x = k * 0x1.0p-24f;
      double exact = Math.log(x);
      assertThat((double) CephesFloatMath.log(x)).isCloseTo(exact, within(4e-7 * Math.max(1, Math.abs(exact))));
    }
    assertThat(CephesFloatMath.log(1f)).isEqualTo(0f);
    assertThat(CephesFloatMath.log(0f)).isNaN();
  }

  @Test
  void sinCosIsAccurateOnTheBoxMullerDomain() {
    float[] out = new float[2];
    for (int k = 0; k < 1 << 24; k += 1009) {
      float theta = (float) (2 * Math.PI) * (k * 0x1.0p-24f);
      CephesFloatMath.sinCos(theta, out, 0);
      assertThat((double) out[0]).isCloseTo(Math.sin(theta), within(2e-7));
      assertThat((double) out[1]).isCloseTo(Math.cos(theta), within(2e-7));
    }
  }
}
