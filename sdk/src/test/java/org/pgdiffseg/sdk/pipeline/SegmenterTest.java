package org.pgdiffseg.sdk.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pgdiffseg.sdk.InferenceException;
import org.pgdiffseg.sdk.InvalidImageException;
import org.pgdiffseg.sdk.bundle.ModelBundle;
import org.pgdiffseg.sdk.bundle.TestBundles;
import org.pgdiffseg.sdk.runtime.SessionConfig;
import org.pgdiffseg.sdk.schedule.SchedulerSpec;
import org.pgdiffseg.sdk.testing.HeapAllocations;

/** The Segmenter on the committed random-weight bundle (32x32): behaviour, not segmentation quality. */
class SegmenterTest {
  static Segmenter segmenter;
  static float[] image;
  @TempDir Path tmp;

  @BeforeAll
  static void open() throws Exception {
    segmenter = Segmenter.builder().bundle(ModelBundle.open(TestBundles.tiny())).steps(10).ensemble(3).seed(5)
        .gating(false).concurrency(2).sessionConfig(SessionConfig.cpuOnly().toBuilder().intraOpThreads(1).build()).build();
    image = new float[32 * 32];
    for (int i = 0; i < image.length; i++) {
      image[i] = (float) Math.cos(i * 0.21);
    }
  }

  @AfterAll
  static void close() {
    segmenter.close();
  }

  static SegmentationResult segment(SegmentRequest request) throws Exception {
    return segmenter.segmentPreprocessed("synthetic", image, 64, 48, request);
  }

  @Test
  void producesAMaskAtTheRequestedSizeWithTimingsAndProbabilities() throws Exception {
    SegmentationResult r = segment(SegmentRequest.defaults());
    assertThat(r.mask().width()).isEqualTo(48);
    assertThat(r.mask().height()).isEqualTo(64);
    assertThat(r.probability()).hasSize(32 * 32);
    for (float p : r.probability()) {
      assertThat(p).isBetween(0f, 1f);
    }
    assertThat(r.gate().probabilities().stream().mapToDouble(Double::doubleValue).sum()).isCloseTo(1.0,
        org.assertj.core.data.Offset.offset(1e-9));
    assertThat(r.gate().skipped()).isFalse();
    assertThat(r.timings().denoiseNanos()).isPositive();
    assertThat(r.options().steps()).isEqualTo(10);
  }

  @Test
  void theSameSeedGivesTheSameResultAndAnotherSeedAnother() throws Exception {
    float[] a = segment(SegmentRequest.defaults()).probability();
    float[] b = segment(SegmentRequest.defaults()).probability();
    float[] c = segment(SegmentRequest.defaults().withOptions(segmenter.options().withSeed(6))).probability();
    assertThat(b).containsExactly(a);
    assertThat(c).isNotEqualTo(a);
  }

  @Test
  void reportsProgressAndKeepsTheTrajectoryOnRequest() throws Exception {
    List<Integer> steps = new ArrayList<>();
    SegmentationResult r = segment(SegmentRequest.defaults().withTrajectory(true)
        .withProgress((step, total, t) -> steps.add(step)));
    assertThat(steps).containsExactly(1, 2, 3, 4, 5, 6, 7, 8, 9, 10);
    assertThat(r.trajectory()).hasSize(10);
    assertThat(r.trajectory().get(9)).containsExactly(r.probability());
  }

  @Test
  void cancellationStopsTheRunAndLeavesTheSegmenterUsable() throws Exception {
    CancellationToken token = new CancellationToken();
    SegmentRequest request = SegmentRequest.defaults().withCancellation(token)
        .withProgress((step, total, t) -> { if (step == 3) token.cancel(); });
    assertThatThrownBy(() -> segment(request)).isInstanceOf(CancellationException.class).hasMessageContaining("3 of 10");
    assertThat(segment(SegmentRequest.defaults()).probability()).containsExactly(
        segment(SegmentRequest.defaults()).probability());
  }

  @Test
  void concurrentCallersGetTheSameResultsAsSequentialOnes() throws Exception {
    SegmentRequest request = SegmentRequest.defaults().withOptions(segmenter.options().withSteps(4));
    float[] expected = segment(request).probability();
    ExecutorService pool = Executors.newFixedThreadPool(8);
    try {
      List<Future<float[]>> futures = new ArrayList<>();
      for (int i = 0; i < 500; i++) {
        futures.add(pool.submit(() -> segment(request).probability()));
      }
      for (Future<float[]> f : futures) {
        assertThat(f.get(2, TimeUnit.MINUTES)).containsExactly(expected);
      }
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void theDenoisingLoopAllocatesNoHeapPerStepAfterWarmUp() throws Exception {
    long[] marks = new long[2];
    int steps = 60;
    // The listener runs on the segmenting thread after each step: read the counter after step 2 and the last.
    ProgressListener probe = (step, total, t) -> {
      if (step == 2) {
        marks[0] = HeapAllocations.sinceThreadStart();
      } else if (step == total) {
        marks[1] = HeapAllocations.sinceThreadStart();
      }
    };
    SegmentRequest request = SegmentRequest.defaults().withProgress(probe)
        .withOptions(segmenter.options().withSteps(steps));
    for (int i = 0; i < 20; i++) {
      segment(request);   // warm-up: buffers, bindings, JIT
    }
    long allocated = HeapAllocations.untilNoneAllocated(20, () -> {
      segment(request);
      return marks[1] - marks[0];
    });
    assertThat(allocated).as("bytes allocated by steps 3..%s", steps).isZero();
  }

  @Test
  void everySchedulerRunsThroughThePipeline() throws Exception {
    for (String name : SchedulerSpec.NAMES) {
      SamplingOptions options = segmenter.options().withScheduler(SchedulerSpec.parse(name)).withSteps(name.equals("ddpm") ? 50 : 8);
      SegmentationResult r = segment(SegmentRequest.defaults().withOptions(options));
      assertThat(r.probability()).as(name).hasSize(32 * 32);
    }
  }

  @Test
  void aBadImageIsATypedErrorNamingTheFile() throws Exception {
    Path text = tmp.resolve("notes.png");
    Files.writeString(text, "not an image");
    assertThatThrownBy(() -> segmenter.segment(text)).isInstanceOf(InvalidImageException.class)
        .hasMessageContaining("notes.png");
    assertThatThrownBy(() -> segmenter.segment(tmp.resolve("missing.png"))).isInstanceOf(InvalidImageException.class)
        .hasMessageContaining("missing.png");
  }

  @Test
  void misuseIsReportedAsSuch() {
    assertThatThrownBy(() -> segmenter.segmentPreprocessed("x", new float[5], 1, 1, SegmentRequest.defaults()))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("expected 32 x 32");
    assertThatThrownBy(() -> segmenter.options().withSteps(0)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> Segmenter.builder().build()).isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("bundle is required");
  }

  @Test
  void closeIsIdempotentAndUseAfterCloseFails() throws Exception {
    Segmenter own = segmenter.toBuilder().concurrency(1).build();
    own.close();
    own.close();
    assertThatThrownBy(() -> own.segmentPreprocessed("x", image, 32, 32, SegmentRequest.defaults()))
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("closed");
  }

  @Test
  void theGateSkipsDiffusionWhenNoTumorPassesItsThreshold() throws Exception {
    try (Segmenter gated = segmenter.toBuilder().gating(true).gateThreshold(0.0).concurrency(1).build()) {
      SegmentationResult r = gated.segmentPreprocessed("x", image, 20, 30, SegmentRequest.defaults());
      assertThat(r.gate().skipped()).isTrue();
      assertThat(r.mask().isEmpty()).isTrue();
      assertThat(r.timings().denoiseNanos()).isZero();
    }
  }

  @Test
  void nonFiniteGraphOutputIsAnInferenceErrorNotAMask() throws Exception {
    // The test bundle's denoiser with NaN added to eps below t = 500 (conformance/python/make_broken_graphs.py).
    Path bundle = TestBundles.copyOfTiny(tmp);
    Files.copy(Path.of("src/test/resources/broken/denoiser-nan-below-t500.onnx"), bundle.resolve("denoiser.onnx"),
        StandardCopyOption.REPLACE_EXISTING);
    TestBundles.resign(bundle);
    try (Segmenter broken = segmenter.toBuilder().bundle(ModelBundle.open(bundle)).concurrency(1).build()) {
      assertThatThrownBy(() -> broken.segmentPreprocessed("x", image, 32, 32, SegmentRequest.defaults()))
          .isInstanceOf(InferenceException.class)
          .hasMessageContaining("non-finite value (NaN) in eps of the denoiser graph at timestep");
      // Gated images never reach the denoiser, so they still get their (empty) result.
      try (Segmenter gated = broken.toBuilder().gating(true).gateThreshold(0.0).build()) {
        assertThat(gated.segmentPreprocessed("x", image, 32, 32, SegmentRequest.defaults()).gate().skipped()).isTrue();
      }
    }
  }

  @Test
  void aZeroStartWithADeterministicSamplerDoesNotDependOnTheSeed() throws Exception {
    SamplingOptions ddim = segmenter.options().withScheduler(SchedulerSpec.parse("ddim")).withSteps(4);
    SamplingOptions zeros = ddim.withInitialSample(InitialSample.ZEROS);
    float[] a = segment(SegmentRequest.defaults().withOptions(zeros.withSeed(1))).probability();
    float[] b = segment(SegmentRequest.defaults().withOptions(zeros.withSeed(2))).probability();
    assertThat(b).containsExactly(a);
    float[] c = segment(SegmentRequest.defaults().withOptions(ddim.withSeed(1))).probability();
    float[] d = segment(SegmentRequest.defaults().withOptions(ddim.withSeed(2))).probability();
    assertThat(d).isNotEqualTo(c);
    assertThat(c).isNotEqualTo(a);
  }
}
