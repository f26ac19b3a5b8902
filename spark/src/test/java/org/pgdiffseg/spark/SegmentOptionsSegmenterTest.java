package org.pgdiffseg.spark;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pgdiffseg.sdk.bundle.ModelBundle;
import org.pgdiffseg.sdk.bundle.TestBundles;
import org.pgdiffseg.sdk.pipeline.Segmenter;
import org.pgdiffseg.sdk.runtime.SessionConfig;

/**
 * The job's flip and confidence options reach each executor's Segmenter and keep segmenters of different settings
 * apart.
 */
class SegmentOptionsSegmenterTest {
  @TempDir Path tmp;

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

  @Test
  void turningTheConfidenceOffTravelsToTheSegmenterAndIsPartOfItsKey() throws Exception {
    Path withModel = TestBundles.copyOfTinyWithConfidence(tmp, c -> {
      c.putArray("signals").add("coarse_agreement");
      c.putArray("coefficients").add(1.0);
      c.put("intercept", 0.0);
      c.put("review_threshold", 0.5);
    });
    SegmentOptions off = SegmentOptions.builder().model(withModel.toString()).steps(1).ensemble(1).confidence(false)
        .build();
    assertThat(SegmentOptions.defaults().confidence()).isTrue();
    assertThat(off.toBuilder().build()).isEqualTo(off);
    assertThat(off.segmenterKey()).isNotEqualTo(off.toBuilder().confidence(true).build().segmenterKey());
    ModelBundle bundle = ModelBundle.open(withModel);
    try (Segmenter scoring = off.toBuilder().confidence(true).build()
            .apply(Segmenter.builder().bundle(bundle).sessionConfig(SessionConfig.cpuOnly())).build();
        Segmenter notScoring = off.apply(Segmenter.builder().bundle(bundle).sessionConfig(SessionConfig.cpuOnly()))
            .build()) {
      assertThat(scoring.scoresConfidence()).isTrue();
      assertThat(notScoring.scoresConfidence()).isFalse();
    }
  }
}
