package org.pgdiffseg.spark;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.pgdiffseg.sdk.bundle.ModelBundle;
import org.pgdiffseg.sdk.bundle.TestBundles;
import org.pgdiffseg.sdk.pipeline.Segmenter;
import org.pgdiffseg.sdk.runtime.SessionConfig;

/** The job's flip option reaches each executor's Segmenter and keeps segmenters of the two settings apart. */
class SegmentOptionsFlipTest {
  @Test
  void flipAveragingTravelsToTheSegmenterAndIsPartOfItsKey() throws Exception {
    SegmentOptions on = SegmentOptions.builder().model(TestBundles.tiny().toString()).steps(1).ensemble(1)
        .flipAverage(true).build();
    assertThat(on.toBuilder().build()).isEqualTo(on);
    assertThat(on.segmenterKey()).isNotEqualTo(on.toBuilder().flipAverage(false).build().segmenterKey());
    assertThat(SegmentOptions.defaults().flipAverage()).as("the bundle's default").isNull();
    ModelBundle bundle = ModelBundle.open(TestBundles.tiny());
    try (Segmenter s = on.apply(Segmenter.builder().bundle(bundle).sessionConfig(SessionConfig.cpuOnly())).build();
        Segmenter off = on.toBuilder().flipAverage(false).build()
            .apply(Segmenter.builder().bundle(bundle).flipAverage(true).sessionConfig(SessionConfig.cpuOnly())).build()) {
      assertThat(s.options().flipAverage()).isTrue();
      assertThat(off.options().flipAverage()).isFalse();
    }
  }
}
