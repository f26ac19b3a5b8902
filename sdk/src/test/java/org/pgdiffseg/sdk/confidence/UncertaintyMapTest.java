package org.pgdiffseg.sdk.confidence;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class UncertaintyMapTest {
  @Test
  void theLargestDisagreementOfTheSourcesPerPixel() {
    float[] p = {1f, 0.5f, 0f, 0.25f};
    float[] coarse = {1f, 0f, 0.5f, 0.25f};
    assertThat(UncertaintyMap.of(p, coarse, null, null)).containsExactly(0f, 0.5f, 0.5f, 0f);
    float[] spread = {0.3f, 0.1f, 0f, 0.9f};
    assertThat(UncertaintyMap.of(p, coarse, spread, null)).containsExactly(0.3f, 0.5f, 0.5f, 0.9f);
    float[] mirrored = {0f, 0.5f, 0f, 0.25f};
    assertThat(UncertaintyMap.of(p, coarse, null, mirrored)).containsExactly(1f, 0.5f, 0.5f, 0f);
  }

  @Test
  void spreadIsMaxMinusMinOfTheClippedSampleProbabilities() {
    // two samples of two pixels in [-1, 1]: pixel 0 from 1 and -1 (p 1 and 0), pixel 1 from 0 and 3 (p 0.5, 1 clipped)
    float[] x0 = {1f, 0f, -1f, 3f};
    float[] out = new float[2];
    UncertaintyMap.spread(x0, 0, 2, -1f, 1f, out);
    assertThat(out[0]).isEqualTo(1f);
    assertThat(out[1]).isCloseTo(0.5f, within(1e-7f));
  }

  @Test
  void theRegionIsWhereTheMapReachesTheLevelAtTheOriginalSize() {
    float[] map = {0f, 1f, 0f, 1f};   // right column uncertain
    var region = UncertaintyMap.region(map, 2, 2, 4, 4, 0.5);
    assertThat(region.width()).isEqualTo(4);
    assertThat(region.valueAt(3, 0)).isEqualTo(255);
    assertThat(region.valueAt(0, 3)).isZero();
    assertThat(UncertaintyMap.resized(map, 2, 2, 2, 2)).containsExactly(map);
  }
}
