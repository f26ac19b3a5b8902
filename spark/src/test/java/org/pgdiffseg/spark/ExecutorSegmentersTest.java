package org.pgdiffseg.spark;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.pgdiffseg.sdk.bundle.TestBundles;
import org.pgdiffseg.sdk.imaging.DecodedImage;
import org.pgdiffseg.sdk.imaging.ImageDecoder;
import org.pgdiffseg.sdk.pipeline.SegmentRequest;
import org.pgdiffseg.sdk.pipeline.Segmenter;

class ExecutorSegmentersTest {
  @Test
  void aSweepOverSeedsKeepsAtMostCapacitySegmentersOpenAndNoneInUseIsClosed() throws Exception {
    SegmentOptions options = SegmentOptions.builder().model(TestBundles.tiny().toString()).steps(1).ensemble(1)
        .cpu(true).build();
    int opened = ExecutorSegmenters.openedCount();
    try (var held = ExecutorSegmenters.acquire(options.toBuilder().seed(0L).build(), 1)) {
      for (long seed = 1; seed <= ExecutorSegmenters.CAPACITY; seed++) {
        ExecutorSegmenters.acquire(options.toBuilder().seed(seed).build(), 1).close();
        assertThat(ExecutorSegmenters.openedCount() - ExecutorSegmenters.closedCount())
            .as("open after seed " + seed).isLessThanOrEqualTo(ExecutorSegmenters.CAPACITY);
      }
      assertThat(ExecutorSegmenters.openedCount() - opened).isEqualTo(ExecutorSegmenters.CAPACITY + 1);
      Segmenter first = held.value();
      DecodedImage image = new ImageDecoder().decode(TestBundles.tiny().resolve("fixtures/preprocess_input.png"));
      assertThat(first.segment(image, SegmentRequest.defaults()).mask()).isNotNull();   // eldest, in use: open
      assertThat(ExecutorSegmenters.acquire(options.toBuilder().seed(0L).build(), 1).value()).isSameAs(first);
    } finally {
      ExecutorSegmenters.closeAll();
    }
  }
}
