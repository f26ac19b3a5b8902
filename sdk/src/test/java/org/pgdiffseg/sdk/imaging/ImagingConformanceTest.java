package org.pgdiffseg.sdk.imaging;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Compares decoding, preprocessing and postprocessing with the opencv-python reference written by
 * {@code conformance/python/gen_preprocessing_fixtures.py}.
 */
class ImagingConformanceTest {
  private static final Logger log = LoggerFactory.getLogger(ImagingConformanceTest.class);
  /** Model-input tolerance. */
  private static final double TOLERANCE = 1e-5;
  /**
   * Gray on the 0..255 scale: float32 {@code cvtColor} of 16-bit colour may differ by one float32 ulp at
   * 255 between the Java and Python OpenCV builds (their SIMD code differs); 8-bit paths are exact.
   */
  private static final double GRAY_TOLERANCE = 2 * Math.ulp(255f);
  private static final JsonNode INDEX = Fixtures.index();

  static Stream<Arguments> images() {
    List<Arguments> cases = new ArrayList<>();
    INDEX.get("images").forEach(entry -> cases.add(
        Arguments.of(entry.get("source").asText() + "/" + entry.get("file").asText(), entry)));
    return cases.stream();
  }

  static Stream<Arguments> postprocessCases() {
    List<Arguments> cases = new ArrayList<>();
    INDEX.get("postprocess").forEach(entry -> cases.add(Arguments.of(entry.get("mask").asText(), entry)));
    return cases.stream();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("images")
  void decodeAndPreprocessMatchReference(String label, JsonNode entry) throws Exception {
    Path file;
    if (entry.get("source").asText().equals("busi")) {
      Optional<Path> originals = Fixtures.busiOriginals();
      assumeTrue(originals.isPresent(),
          "BUSI originals not found: expected <repo>/../shared/data/busi/originals above " + Path.of("").toAbsolutePath());
      file = originals.get().resolve(entry.get("file").asText());
    } else {
      file = Fixtures.root().resolve("synthetic").resolve(entry.get("file").asText());
    }

    DecodedImage image = new ImageDecoder().decode(file);

    assertThat(image.width()).isEqualTo(entry.get("width").asInt());
    assertThat(image.height()).isEqualTo(entry.get("height").asInt());
    assertThat(image.sourceChannels()).isEqualTo(entry.get("channels").asInt());
    assertThat(image.sourceBitDepth()).isEqualTo(entry.get("bit_depth").asInt());
    double graySum = 0;
    for (float v : image.grayCopy()) {
      graySum += v;
    }
    assertThat(graySum).isCloseTo(entry.get("gray_sum").asDouble(), within(1e-3));
    if (!entry.get("gray").isNull()) {
      float[] expected = Npy.read(Fixtures.root().resolve(entry.get("gray").asText())).floats();
      float diff = Fixtures.maxAbsDiff(expected, image.grayCopy());
      log.info("{} gray: max abs diff {}", label, diff);
      assertThat((double) diff).isLessThanOrEqualTo(GRAY_TOLERANCE);
    }
    for (Map.Entry<String, JsonNode> pre : entry.get("preprocessed").properties()) {
      PreprocessSpec spec = spec(INDEX.get("specs").get(pre.getKey()));
      float[] expected = Npy.read(Fixtures.root().resolve(pre.getValue().asText())).floats();
      float[] actual = new Preprocessor(spec).preprocess(image);
      float diff = Fixtures.maxAbsDiff(expected, actual);
      log.info("{} preprocessed ({}): max abs diff {}", label, pre.getKey(), diff);
      assertThat((double) diff).isLessThanOrEqualTo(TOLERANCE);
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("postprocessCases")
  void maskMatchesReference(String label, JsonNode entry) throws Exception {
    float[] probability = Npy.read(Fixtures.root().resolve(entry.get("probability").asText())).floats();
    byte[] expected = Npy.read(Fixtures.root().resolve(entry.get("mask").asText())).bytes();
    MaskPostprocessor postprocessor = new MaskPostprocessor(
        entry.get("threshold").asDouble(), entry.get("keep_largest").asBoolean(), entry.get("fill_holes").asBoolean());

    BinaryMask mask = postprocessor.toMask(
        probability, 128, 128, entry.get("out_height").asInt(), entry.get("out_width").asInt());

    byte[] actual = mask.pixels();
    int mismatches = 0;
    for (int i = 0; i < expected.length; i++) {
      if (expected[i] != actual[i]) {
        mismatches++;
      }
    }
    log.info("{}: {} of {} pixels differ", label, mismatches, expected.length);
    assertThat(mismatches).isZero();
    assertThat(mask.lesionPixels()).isEqualTo(entry.get("lesion_pixels").asLong());
  }

  @Test
  void ensembleProbabilityMatchesReference() throws Exception {
    JsonNode ensemble = INDEX.get("ensemble");
    float[] x0 = Npy.read(Fixtures.root().resolve(ensemble.get("x0").asText())).floats();
    float[] expected = Npy.read(Fixtures.root().resolve(ensemble.get("probability").asText())).floats();
    float[] actual = new float[expected.length];

    MaskPostprocessor.ensembleProbability(x0, ensemble.get("samples").asInt(), actual);

    float diff = Fixtures.maxAbsDiff(expected, actual);
    log.info("ensemble probability: max abs diff {}", diff);
    assertThat((double) diff).isLessThanOrEqualTo(1e-6);
  }

  private static PreprocessSpec spec(JsonNode s) {
    return new PreprocessSpec(s.get("height").asInt(), s.get("width").asInt(), s.get("window_low").asDouble(),
        s.get("window_high").asDouble(), s.get("out_low").asDouble(), s.get("out_high").asDouble(),
        s.get("interpolation").asText());
  }
}
