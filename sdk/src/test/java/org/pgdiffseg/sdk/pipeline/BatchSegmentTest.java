package org.pgdiffseg.sdk.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.pgdiffseg.sdk.bundle.ModelBundle;
import org.pgdiffseg.sdk.bundle.TestBundles;
import org.pgdiffseg.sdk.imaging.DecodedImage;
import org.pgdiffseg.sdk.runtime.SessionConfig;
import org.pgdiffseg.sdk.schedule.SchedulerSpec;

/** Several images in one graph call per step give each image the result it gets alone. */
class BatchSegmentTest {
  static Segmenter segmenter;
  static List<DecodedImage> images = new ArrayList<>();

  @BeforeAll
  static void open() throws Exception {
    segmenter = Segmenter.builder().bundle(ModelBundle.open(TestBundles.tiny())).steps(6).ensemble(2).seed(3)
        .gating(false).sessionConfig(SessionConfig.cpuOnly()).build();
    for (int n = 0; n < 4; n++) {
      double f = 0.1 * (n + 1);
      images.add(TestPictures.png("image" + n + ".png", 40 + 8 * n, 30 + 5 * n,
          (x, y) -> (int) (127 + 120 * Math.sin(f * x + 0.07 * y))));
    }
  }

  @AfterAll
  static void close() {
    segmenter.close();
  }

  private static void assertSameAsAlone(Segmenter s, List<SegmentationResult> batch, SegmentRequest request)
      throws Exception {
    for (int i = 0; i < images.size(); i++) {
      SegmentationResult alone = s.segment(images.get(i), request);
      SegmentationResult together = batch.get(i);
      assertThat(together.name()).isEqualTo(alone.name());
      assertThat(together.gate().skipped()).isEqualTo(alone.gate().skipped());
      assertThat(together.width()).isEqualTo(images.get(i).width());
      float[] a = alone.probability();
      float[] b = together.probability();
      for (int p = 0; p < a.length; p++) {
        assertThat(b[p]).as("image %s pixel %s", i, p).isCloseTo(a[p], within(1e-5f));
      }
      float[] ua = alone.uncertainty();   // each image judged by its own coarse mask and samples, not a neighbour's
      float[] ub = together.uncertainty();
      for (int p = 0; p < ua.length; p++) {
        assertThat(ub[p]).as("uncertainty of image %s pixel %s", i, p).isCloseTo(ua[p], within(1e-5f));
      }
    }
  }

  @Test
  void eachImageOfABatchGetsItsResultAlone() throws Exception {
    for (String scheduler : List.of("dpm++", "ddpm", "dpm++-sde")) {   // the last two draw noise every step
      SegmentRequest request = SegmentRequest.defaults()
          .withOptions(segmenter.options().withScheduler(SchedulerSpec.parse(scheduler)));
      assertSameAsAlone(segmenter, segmenter.segmentBatch(images, request), request);
    }
  }

  @Test
  void imagesTheGateSkipsLeaveTheBatchAndTheOthersAreUnchanged() throws Exception {
    double between = TestPictures.thresholdSkippingHalf(segmenter, images);   // two images skipped, two sampled
    try (Segmenter gated = segmenter.toBuilder().gating(true).gateThreshold(between).build()) {
      List<SegmentationResult> batch = gated.segmentBatch(images, SegmentRequest.defaults());
      assertThat(batch).filteredOn(r -> r.gate().skipped()).hasSize(2);
      assertSameAsAlone(gated, batch, SegmentRequest.defaults());
    }
    try (Segmenter allSkipped = segmenter.toBuilder().gating(true).gateThreshold(0).build()) {
      assertThat(allSkipped.segmentBatch(images, SegmentRequest.defaults()))
          .allSatisfy(r -> assertThat(r.mask().lesionPixels()).isZero());
    }
  }

  @Test
  void aBatchMustHoldOneToSixtyFourImages() {
    assertThatThrownBy(() -> segmenter.segmentBatch(List.of(), SegmentRequest.defaults()))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("1..64");
  }
}
