package org.pgdiffseg.spark;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.pgdiffseg.sdk.bundle.TestBundles;
import org.pgdiffseg.sdk.imaging.DecodedImage;
import org.pgdiffseg.sdk.imaging.ImageDecoder;
import org.pgdiffseg.sdk.pipeline.SegmentRequest;
import org.pgdiffseg.sdk.pipeline.Segmenter;
import org.pgdiffseg.sdk.runtime.DeviceChoice;

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

  @Test
  void theBatchingOptionsReachTheExecutorsSegmenter() throws Exception {
    SegmentOptions options = SegmentOptions.builder().model(TestBundles.tiny().toString()).steps(1).ensemble(1)
        .cpu(true).build();
    try (var defaults = ExecutorSegmenters.acquire(options, 4);
        var given = ExecutorSegmenters.acquire(options.toBuilder().maxBatch(3).maxWaitMillis(7).build(), 4);
        var off = ExecutorSegmenters.acquire(options.toBuilder().maxBatch(1).build(), 4)) {
      assertThat(defaults.value().maxBatch()).isEqualTo(1);   // on a CPU: a worker per task, no batching
      assertThat(defaults.value().maxWait()).isEqualTo(Duration.ofMillis(SegmentOptions.DEFAULT_MAX_WAIT_MILLIS));
      assertThat(given.value().maxBatch()).isEqualTo(3);
      assertThat(given.value().maxWait()).isEqualTo(Duration.ofMillis(7));
      assertThat(off.value().maxBatch()).isEqualTo(1);
    } finally {
      ExecutorSegmenters.closeAll();
    }
  }

  @Test
  void eachBatchThatCanRunAtOnceHasAWorkerUnlessConcurrencySays() {
    SegmentOptions options = SegmentOptions.defaults();
    assertThat(options.sizing(8)).isEqualTo(new SegmentOptions.Sizing(8, 1, Duration.ofMillis(5)));
    SegmentOptions cuda = options.toBuilder().device(DeviceChoice.CUDA).build();
    assertThat(cuda.sizing(8)).isEqualTo(new SegmentOptions.Sizing(1, 8, Duration.ofMillis(5)));
    assertThat(options.toBuilder().maxBatch(3).build().sizing(8).workers()).isEqualTo(3);
    assertThat(options.toBuilder().maxBatch(1).build().sizing(8).workers()).isEqualTo(8);   // one per task slot
    assertThat(options.toBuilder().maxBatch(1).build().sizing(1)).isEqualTo(new SegmentOptions.Sizing(1, 1,
        Duration.ofMillis(5)));
    assertThat(options.toBuilder().concurrency(2).build().sizing(8).workers()).isEqualTo(2);
    assertThat(cuda.sizing(200).maxBatch()).isEqualTo(64);
  }
}
