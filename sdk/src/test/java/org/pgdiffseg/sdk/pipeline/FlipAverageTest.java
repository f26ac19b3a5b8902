package org.pgdiffseg.sdk.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pgdiffseg.sdk.BundleException;
import org.pgdiffseg.sdk.bundle.ModelBundle;
import org.pgdiffseg.sdk.bundle.TestBundles;
import org.pgdiffseg.sdk.imaging.DecodedImage;
import org.pgdiffseg.sdk.runtime.SessionConfig;
import org.pgdiffseg.sdk.schedule.SchedulerSpec;

/**
 * Flip averaging: the image and its mirror in one batch give the mean of the two maps, the mirror starting from the
 * image's x_T mirrored, the gate deciding on the image alone; batches, dynamic batching and records keep it.
 */
class FlipAverageTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  static Segmenter plain;
  static List<DecodedImage> images = new ArrayList<>();
  static ExecutorService pool;
  static int side;
  @TempDir Path tmp;

  @BeforeAll
  static void open() throws Exception {
    plain = Segmenter.builder().bundle(ModelBundle.open(TestBundles.tiny())).steps(4).ensemble(2).seed(11)
        .gating(false).sessionConfig(SessionConfig.cpuOnly()).build();
    side = plain.settings().preprocess().width();
    for (int n = 0; n < 4; n++) {
      double f = 0.13 * (n + 1);
      int phase = n;
      images.add(TestPictures.png("image" + n + ".png", 40 + 8 * n, 30 + 5 * n,
          (x, y) -> (int) (127 + 120 * Math.sin(f * x + 0.07 * y + phase))));
    }
    pool = Executors.newFixedThreadPool(images.size());
  }

  @AfterAll
  static void close() {
    plain.close();
    pool.shutdownNow();
  }

  /** A model input that is no mirror of itself. */
  private static float[] asymmetricInput() {
    float[] input = new float[side * side];
    for (int i = 0; i < input.length; i++) {
      int y = i / side;
      int x = i % side;
      input[i] = (float) Math.tanh(0.9 * Math.sin(0.31 * x * x / side + 0.2 * y) + (x < side / 3 ? 0.5 : -0.3));
    }
    return input;
  }

  private static SegmentationResult run(float[] input, SamplingOptions options) throws Exception {
    return plain.segmentPreprocessed("input", input, side, side, SegmentRequest.defaults().withOptions(options));
  }

  /** The map of the mirrored input sampled alone, mirrored back: what flip averaging averages with the image's. */
  private static float[] mirroredRunMappedBack(float[] input, SamplingOptions options) throws Exception {
    return FlipAverage.mirrored(run(FlipAverage.mirrored(input, side, side), options).probability(), side, side);
  }

  private static void assertClose(float[] actual, float[] expected, float tolerance) {
    assertThat(actual).hasSameSizeAs(expected);
    for (int p = 0; p < expected.length; p++) {
      assertThat(actual[p]).as("pixel %s", p).isCloseTo(expected[p], within(tolerance));
    }
  }

  @Test
  void mirroringIsLeftToRightPerRow() {
    float[] image = {1, 2, 3, 4, 5, 6};   // 2 rows of 3
    assertThat(FlipAverage.mirrored(image, 2, 3)).containsExactly(3, 2, 1, 6, 5, 4);
    float[] initial = {1, 2, 3, 4, 5, 6, 7, 8};   // two images of 1 row x 2, K = 2 each: [1 2][3 4] | [5 6][7 8]
    float[] xt = new float[16];
    FlipAverage.spreadInitialSample(initial, 2, 2, xt, 1, 2);
    assertThat(xt).containsExactly(1, 2, 3, 4, 2, 1, 4, 3, 5, 6, 7, 8, 6, 5, 8, 7);
  }

  @Test
  void fromZerosTheMapIsTheMeanOfTheImagesAndTheMirrorsMappedBack() throws Exception {
    float[] input = asymmetricInput();
    for (int k : new int[] {1, 2}) {   // K = 2 from zeros: identical samples, but rows laid out as 2K
      SamplingOptions off = plain.options().withScheduler(SchedulerSpec.parse("ddim")).withEnsemble(k)
          .withInitialSample(InitialSample.ZEROS);
      float[] image = run(input, off).probability();
      float[] mirror = mirroredRunMappedBack(input, off);
      float[] expected = new float[image.length];
      for (int p = 0; p < expected.length; p++) {
        expected[p] = (image[p] + mirror[p]) / 2f;
      }
      SegmentationResult flipped = run(input, off.withFlipAverage(true));
      assertClose(flipped.probability(), expected, 1e-5f);
      assertThat(flipped.options().flipAverage()).isTrue();
      assertThat(flipped.record().flipAverage()).isTrue();
      float maxChange = 0;
      for (int p = 0; p < image.length; p++) {
        maxChange = Math.max(maxChange, Math.abs(flipped.probability()[p] - image[p]));
      }
      assertThat(maxChange).as("an asymmetric image's map changes with flipping").isGreaterThan(1e-3f);
    }
  }

  @Test
  void theUncertaintyMapHasTheMirrorsDisagreement() throws Exception {
    float[] input = asymmetricInput();
    SamplingOptions off = plain.options().withScheduler(SchedulerSpec.parse("ddim")).withEnsemble(1)
        .withInitialSample(InitialSample.ZEROS);
    float[] mirror = mirroredRunMappedBack(input, off);
    SegmentationResult plainRun = run(input, off);
    SegmentationResult flipped = run(input, off.withFlipAverage(true));
    float[] p = flipped.probability();
    int mirrorDecides = 0;
    for (int i = 0; i < p.length; i++) {
      // Without flipping, K = 1, the map is |p - coarse|: the coarse mask is one of p -/+ that map. With flipping it
      // is the larger of |p - coarse| and |p - mirror|.
      float u = plainRun.uncertainty()[i];
      float m = Math.abs(p[i] - mirror[i]);
      float below = Math.max(Math.abs(p[i] - (plainRun.probability()[i] - u)), m);
      float above = Math.max(Math.abs(p[i] - (plainRun.probability()[i] + u)), m);
      float got = flipped.uncertainty()[i];
      assertThat(Math.min(Math.abs(got - below), Math.abs(got - above))).as("pixel %s", i).isLessThan(1e-5f);
      // got = m with u > 0 rules out the coarse value farther from p (it would give m + u), so the coarse term is the
      // nearer one; where that is below m, only the mirror can have set the map
      if (Math.abs(got - m) < 1e-6f && u > 1e-3f && Math.min(Math.abs(p[i] - plainRun.probability()[i] + u),
          Math.abs(p[i] - plainRun.probability()[i] - u)) < m - 1e-3f) {
        mirrorDecides++;
      }
    }
    assertThat(mirrorDecides).as("pixels where the mirror's disagreement is the map's value").isPositive();
  }

  @Test
  void aMirrorSymmetricImageGetsAMirrorSymmetricMap() throws Exception {
    // The network is not mirror-equivariant, so without flipping such an image's map is not symmetric; with it, the
    // two halves of the batch see the same input from the same x_T = 0 and the average is symmetric by construction.
    float[] input = asymmetricInput();
    for (int y = 0; y < side; y++) {
      for (int x = side / 2; x < side; x++) {
        input[y * side + x] = input[y * side + side - 1 - x];
      }
    }
    SamplingOptions off = plain.options().withScheduler(SchedulerSpec.parse("ddim")).withEnsemble(1)
        .withInitialSample(InitialSample.ZEROS);
    float[] p = run(input, off.withFlipAverage(true)).probability();
    assertClose(FlipAverage.mirrored(p, side, side), p, 1e-5f);
    assertThat(run(input, off).probability()).isNotEqualTo(p);
  }

  @Test
  void fromNoiseTheSameSeedGivesTheSameFlipAveragedMap() throws Exception {
    SamplingOptions options = plain.options().withScheduler(SchedulerSpec.parse("ddpm")).withEnsemble(2)
        .withFlipAverage(true);
    float[] input = asymmetricInput();
    float[] p = run(input, options).probability();
    assertThat(run(input, options).probability()).isEqualTo(p);
    assertThat(run(input, options.withSeed(12)).probability()).isNotEqualTo(p);
    assertThat(run(input, options.withFlipAverage(false)).probability()).isNotEqualTo(p);
  }

  @Test
  void theGateDecidesOnTheImageAloneSoFlippingChangesNoDecision() throws Exception {
    try (Segmenter gated = plain.toBuilder().gating(true).build()) {
      for (DecodedImage image : images) {
        SegmentationResult off = gated.segment(image, SegmentRequest.defaults());
        SegmentationResult on = gated.segment(image,
            SegmentRequest.defaults().withOptions(gated.options().withFlipAverage(true)));
        assertThat(on.gate().skipped()).isEqualTo(off.gate().skipped());
        assertThat(on.gate().probability(on.gate().skipClass()))
            .isCloseTo(off.gate().probability(off.gate().skipClass()), within(1e-6));
      }
    }
  }

  @Test
  void aBatchWithGatedImagesGivesEachImageItsFlipAveragedResultAlone() throws Exception {
    double between = TestPictures.thresholdSkippingHalf(plain, images);   // two images skipped, two sampled
    try (Segmenter gated = plain.toBuilder().gating(true).gateThreshold(between).flipAverage(true).build()) {
      for (String scheduler : List.of("ddpm", "dpm++-sde", "dpm++")) {   // the first two draw noise every step
        SegmentRequest request = SegmentRequest.defaults()
            .withOptions(gated.options().withScheduler(SchedulerSpec.parse(scheduler)));
        List<SegmentationResult> batch = gated.segmentBatch(images, request);
        assertThat(batch).filteredOn(r -> r.gate().skipped()).hasSize(2);
        for (int i = 0; i < images.size(); i++) {
          SegmentationResult alone = gated.segment(images.get(i), request);
          assertThat(batch.get(i).gate().skipped()).isEqualTo(alone.gate().skipped());
          assertThat(batch.get(i).options().flipAverage()).isTrue();
          assertClose(batch.get(i).probability(), alone.probability(), 1e-5f);
        }
      }
    }
  }

  @Test
  void concurrentCallsAreBatchedWithTheirOwnFlipSettingAndEachGetsItsResultAlone() throws Exception {
    try (Segmenter batching = plain.toBuilder().scheduler(SchedulerSpec.parse("ddpm"))
        .batching(images.size(), Duration.ofMillis(500)).build()) {
      CyclicBarrier start = new CyclicBarrier(images.size());
      List<Future<SegmentationResult>> futures = new ArrayList<>();
      for (int i = 0; i < images.size(); i++) {
        DecodedImage image = images.get(i);
        SamplingOptions options = batching.options().withFlipAverage(i % 2 == 0);   // two groups of two
        futures.add(pool.submit(() -> {
          start.await();
          return batching.segment(image, SegmentRequest.defaults().withOptions(options));
        }));
      }
      for (int i = 0; i < images.size(); i++) {
        SegmentationResult together = futures.get(i).get();
        SegmentationResult alone = batching.segment(images.get(i), SegmentRequest.defaults().withTrajectory(true)
            .withOptions(batching.options().withFlipAverage(i % 2 == 0)));   // a trajectory keeps it out of batches
        assertThat(together.record().flipAverage()).isEqualTo(i % 2 == 0);
        assertClose(together.probability(), alone.probability(), 1e-5f);
      }
      assertThat(batching.batchingCounts()[0]).as("four calls in fewer batches").isLessThan(4);
    }
  }

  @Test
  void optionsDefaultToOffAndTheBuilderOverridesTheBundle() throws Exception {
    SamplingOptions o = new SamplingOptions(SchedulerSpec.parse("ddim"), 5, 1, 0, 0.5, false, false);
    assertThat(o.flipAverage()).isFalse();
    assertThat(new SamplingOptions(SchedulerSpec.parse("ddim"), 5, 1, 0, 0.5, false, false, InitialSample.ZEROS)
        .flipAverage()).isFalse();
    SamplingOptions on = o.withFlipAverage(true);
    assertThat(on.flipAverage()).isTrue();
    assertThat(on.withSteps(3).withEnsemble(2).withSeed(4).withInitialSample(InitialSample.ZEROS).withMaskThreshold(0.3)
        .withScheduler(SchedulerSpec.parse("dpm++")).withCleanup(true, true).flipAverage()).isTrue();
    assertThat(on).isNotEqualTo(o);
    assertThat(plain.options().flipAverage()).isFalse();   // the tiny bundle does not say
    Path bundle = bundleWithFlipDefault(JSON.getNodeFactory().booleanNode(true));
    assertThat(ModelSettings.of(ModelBundle.open(bundle)).samplingDefaults().flipAverage()).isTrue();
    try (Segmenter off = Segmenter.builder().bundle(ModelBundle.open(bundle)).flipAverage(false)
        .sessionConfig(SessionConfig.cpuOnly()).build()) {
      assertThat(off.options().flipAverage()).isFalse();
      assertThat(off.toBuilder().build().options().flipAverage()).isFalse();
    }
  }

  @Test
  void aFlipDefaultThatIsNotTrueOrFalseRefusesTheBundle() throws Exception {
    for (var value : List.of(JSON.getNodeFactory().textNode("true"), JSON.getNodeFactory().numberNode(1),
        JSON.getNodeFactory().nullNode())) {
      Path bundle = bundleWithFlipDefault(value);
      assertThatThrownBy(() -> ModelBundle.open(bundle)).as("flip_average %s", value)
          .isInstanceOf(BundleException.class).hasMessageContaining("sampling_defaults.flip_average");
    }
  }

  @Test
  void theRecordKeepsFlippingAndReplaysIt() throws Exception {
    SamplingOptions on = plain.options().withFlipAverage(true);
    SegmentationResult r = plain.segment(images.get(0), SegmentRequest.defaults().withOptions(on));
    Map<String, Object> map = r.record().toMap();
    @SuppressWarnings("unchecked")
    Map<String, Object> sampling = (Map<String, Object>) map.get("sampling");
    assertThat(sampling).containsEntry("flip_average", true);
    RunRecord read = RunRecord.fromMap(map);
    assertThat(read).isEqualTo(r.record());
    assertThat(read.samplingOptions()).isEqualTo(on);
    try (Segmenter replay = read.applyTo(Segmenter.builder().sessionConfig(SessionConfig.cpuOnly()), plain.bundle())
        .build()) {
      assertThat(replay.options().flipAverage()).isTrue();
      assertThat(replay.segment(images.get(0), SegmentRequest.defaults()).mask()).isEqualTo(r.mask());
    }
    Map<String, Object> older = copyWithSampling(map, s -> s.remove("flip_average"));
    assertThat(RunRecord.fromMap(older).flipAverage()).as("records from before the key").isFalse();
    Map<String, Object> wrong = copyWithSampling(map, s -> s.put("flip_average", "yes"));
    assertThatThrownBy(() -> RunRecord.fromMap(wrong)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("sampling.flip_average");
  }

  private static Map<String, Object> copyWithSampling(Map<String, Object> map,
      java.util.function.Consumer<Map<String, Object>> change) {
    Map<String, Object> copy = new LinkedHashMap<>(map);
    @SuppressWarnings("unchecked")
    Map<String, Object> sampling = new LinkedHashMap<>((Map<String, Object>) map.get("sampling"));
    change.accept(sampling);
    copy.put("sampling", sampling);
    return copy;
  }

  private Path bundleWithFlipDefault(com.fasterxml.jackson.databind.JsonNode value) throws Exception {
    Path copy = TestBundles.copyOfTiny(java.nio.file.Files.createTempDirectory(tmp, "bundle"));
    Path manifest = copy.resolve("bundle.json");
    ObjectNode m = (ObjectNode) JSON.readTree(manifest.toFile());
    ((ObjectNode) m.get("sampling_defaults")).set("flip_average", value);
    JSON.writerWithDefaultPrettyPrinter().writeValue(manifest.toFile(), m);
    return copy;
  }
}
