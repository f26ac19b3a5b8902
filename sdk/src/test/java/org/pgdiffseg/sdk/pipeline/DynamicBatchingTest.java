package org.pgdiffseg.sdk.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.pgdiffseg.sdk.InvalidImageException;
import org.pgdiffseg.sdk.bundle.ModelBundle;
import org.pgdiffseg.sdk.bundle.TestBundles;
import org.pgdiffseg.sdk.imaging.DecodedImage;
import org.pgdiffseg.sdk.imaging.ImageDecoder;
import org.pgdiffseg.sdk.runtime.SessionConfig;
import org.pgdiffseg.sdk.schedule.SchedulerSpec;

/**
 * Concurrent {@code segment} calls grouped into one graph call per step give every caller the result it gets
 * alone, for every scheduler family and with gated images among them.
 */
class DynamicBatchingTest {
  static final int CALLERS = 6;
  static Segmenter alone;
  static List<DecodedImage> images = new ArrayList<>();
  static ExecutorService pool;

  @BeforeAll
  static void open() throws Exception {
    alone = Segmenter.builder().bundle(ModelBundle.open(TestBundles.tiny())).steps(4).ensemble(2).seed(5)
        .gating(false).sessionConfig(SessionConfig.cpuOnly()).build();
    for (int n = 0; n < CALLERS; n++) {
      double f = 0.09 * (n + 1);
      images.add(TestPictures.png("image" + n + ".png", 40 + 6 * n, 30 + 4 * n,
          (x, y) -> (int) (127 + 120 * Math.sin(f * x + 0.05 * y))));
    }
    pool = Executors.newFixedThreadPool(CALLERS);
  }

  @AfterAll
  static void close() {
    alone.close();
    pool.shutdownNow();
  }

  /** Every image segmented by its own thread, all starting together. */
  static List<SegmentationResult> concurrently(Segmenter s, List<DecodedImage> inputs) throws Exception {
    CyclicBarrier start = new CyclicBarrier(inputs.size());
    List<Future<SegmentationResult>> futures = new ArrayList<>();
    for (DecodedImage image : inputs) {
      futures.add(pool.submit(() -> {
        start.await();
        return s.segment(image, SegmentRequest.defaults());
      }));
    }
    List<SegmentationResult> results = new ArrayList<>();
    for (Future<SegmentationResult> f : futures) {
      results.add(f.get());
    }
    return results;
  }

  static void assertSameAsAlone(Segmenter reference, List<SegmentationResult> batched) throws Exception {
    for (int i = 0; i < images.size(); i++) {
      SegmentationResult one = reference.segment(images.get(i), SegmentRequest.defaults());
      SegmentationResult together = batched.get(i);
      assertThat(together.name()).isEqualTo(one.name());
      assertThat(together.gate().skipped()).as("image %s gated", i).isEqualTo(one.gate().skipped());
      assertThat(together.mask()).as("image %s mask", i).isEqualTo(one.mask());
      assertThat(together.record()).isEqualTo(one.record());
      float[] a = one.probability();
      float[] b = together.probability();
      for (int p = 0; p < a.length; p++) {
        assertThat(b[p]).as("image %s pixel %s", i, p).isCloseTo(a[p], within(1e-5f));
      }
    }
  }

  @Test
  void concurrentCallsAreBatchedAndEachGetsItsResultAloneForEverySchedulerFamily() throws Exception {
    for (String scheduler : List.of("ddim", "ddpm", "dpm++", "dpm++-sde", "unipc")) {
      try (Segmenter reference = alone.toBuilder().scheduler(SchedulerSpec.parse(scheduler)).build();
          Segmenter batching = reference.toBuilder().batching(CALLERS, Duration.ofMillis(500)).build()) {
        List<SegmentationResult> results = concurrently(batching, images);
        long[] counts = batching.batchingCounts();
        assertThat(counts[1]).isEqualTo(CALLERS);
        assertThat(counts[0]).as("%s: %s calls ran in fewer batches", scheduler, CALLERS).isLessThan(CALLERS);
        assertSameAsAlone(reference, results);
      }
    }
  }

  @Test
  void gatedImagesAmongTheCallsGetTheirEmptyMaskAndTheOthersAreUnchanged() throws Exception {
    double between = TestPictures.thresholdSkippingHalf(alone, images);   // half of them skipped
    try (Segmenter reference = alone.toBuilder().gating(true).gateThreshold(between).build();
        Segmenter batching = reference.toBuilder().batching(CALLERS, Duration.ofMillis(500)).build()) {
      List<SegmentationResult> results = concurrently(batching, images);
      assertThat(results).filteredOn(r -> r.gate().skipped()).hasSize(CALLERS / 2);
      assertSameAsAlone(reference, results);
    }
  }

  @Test
  void aBadInputAmongBatchedCallsFailsAloneAndTheOthersGetTheirResults() throws Exception {
    // A runner whose batch fails when it holds "bad", as a graph error on one image fails its whole batch.
    CallBatcher batcher = new CallBatcher(4, java.util.concurrent.TimeUnit.MILLISECONDS.toNanos(500),
        new CallBatcher.Runner() {
          @Override
          public List<SegmentationResult> batch(List<DecodedImage> in, SamplingOptions o) throws InvalidImageException {
            if (in.stream().anyMatch(i -> i.name().startsWith("bad"))) {
              throw new InvalidImageException("bad.png: refused");
            }
            List<SegmentationResult> out = new ArrayList<>();
            for (DecodedImage i : in) {
              out.add(result(i));
            }
            return out;
          }

          @Override
          public SegmentationResult alone(DecodedImage i, SamplingOptions o) throws InvalidImageException {
            if (i.name().startsWith("bad")) {
              throw new InvalidImageException("bad.png: refused");
            }
            return result(i);
          }
        });
    List<DecodedImage> inputs = new ArrayList<>(images.subList(0, 3));
    inputs.add(new ImageDecoder().decode(png(8, 8), "bad.png"));
    CyclicBarrier start = new CyclicBarrier(inputs.size());
    List<Future<Object>> futures = new ArrayList<>();
    for (DecodedImage image : inputs) {
      futures.add(pool.submit(() -> {
        start.await();
        try {
          return batcher.segment(image, alone.options());
        } catch (InvalidImageException e) {
          return e;
        }
      }));
    }
    for (int i = 0; i < 3; i++) {
      assertThat(((SegmentationResult) futures.get(i).get()).name()).isEqualTo(inputs.get(i).name());
    }
    assertThat(futures.get(3).get()).isInstanceOf(InvalidImageException.class);
    assertThat(batcher.batchesRun()).isEqualTo(1);
  }

  @Test
  void aCallWithAProgressListenerRunsAlone() throws Exception {
    try (Segmenter batching = alone.toBuilder().batching(CALLERS, Duration.ofMillis(500)).build()) {
      batching.segment(images.get(0), SegmentRequest.defaults().withProgress((step, steps, t) -> { }));
      assertThat(batching.batchingCounts()[1]).isZero();
    }
  }

  /** A stand-in result naming its image. */
  static SegmentationResult result(DecodedImage image) {
    return new SegmentationResult(image.name(), org.pgdiffseg.sdk.imaging.BinaryMask.empty(image.width(),
        image.height()), new float[1], 1, 1, null, List.of(), null, null, null, null, null, new float[1]);
  }

  static byte[] png(int w, int h) throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ImageIO.write(new BufferedImage(w, h, BufferedImage.TYPE_BYTE_GRAY), "png", out);
    return out.toByteArray();
  }

  @Test
  void batchingSettingsOutOfRangeAreRefused() {
    assertThatThrownBy(() -> Segmenter.builder().batching(65, Duration.ofMillis(1)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("maxBatch must be in 1..64");
    assertThatThrownBy(() -> Segmenter.builder().batching(8, Duration.ofSeconds(5)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("maxWait must be in 0..1 s");
  }
}
