package org.pgdiffseg.sdk.bundle;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Files;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.pgdiffseg.sdk.BundleException;

class ManifestParserTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  static ObjectNode tinyManifest() throws Exception {
    return (ObjectNode) JSON.readTree(Files.readAllBytes(TestBundles.tiny().resolve("bundle.json")));
  }

  static BundleManifest parse(ObjectNode node) throws BundleException {
    return ManifestParser.strict().parse(node.toString().getBytes(), "bundle.json");
  }

  @Test
  void parsesTheTestManifest() throws Exception {
    BundleManifest m = parse(tinyManifest());
    assertThat(m.formatVersion()).isEqualTo("1.0");
    assertThat(m.input().intensityWindow()).containsExactly(30.0, 235.0);
    assertThat(m.diffusion().numTrainTimesteps()).isEqualTo(1000);
    assertThat(m.samplingDefaults().scheduler()).isEqualTo("dpm++");
  }

  static Stream<Arguments> brokenManifests() {
    return Stream.of(
        Arguments.of("unknown format_version", (Consumer<ObjectNode>) n -> n.put("format_version", "9.9"), "unknown format_version '9.9'"),
        Arguments.of("missing format_version", (Consumer<ObjectNode>) n -> n.remove("format_version"), "missing key 'format_version'"),
        Arguments.of("missing id", (Consumer<ObjectNode>) n -> n.remove("id"), "missing key 'id'"),
        Arguments.of("missing input", (Consumer<ObjectNode>) n -> n.remove("input"), "missing key 'input'"),
        Arguments.of("height as text", (Consumer<ObjectNode>) n -> ((ObjectNode) n.get("input")).put("height", "tall"), "input.height"),
        Arguments.of("negative width", (Consumer<ObjectNode>) n -> ((ObjectNode) n.get("input")).put("width", -3), "input.width"),
        Arguments.of("reversed window", (Consumer<ObjectNode>) n -> ((ObjectNode) n.get("input")).putArray("intensity_window").add(235).add(30), "input.intensity_window"),
        Arguments.of("unknown key", (Consumer<ObjectNode>) n -> n.put("surprise", 1), "unknown key 'surprise'"),
        Arguments.of("bad prediction type", (Consumer<ObjectNode>) n -> ((ObjectNode) n.get("diffusion")).put("prediction_type", "x"), "diffusion.prediction_type"),
        Arguments.of("missing denoiser", (Consumer<ObjectNode>) n -> ((ObjectNode) n.get("graphs")).remove("denoiser"), "missing key 'graphs.denoiser'"),
        Arguments.of("bad sha", (Consumer<ObjectNode>) n -> ((ObjectNode) n.at("/graphs/prior")).put("sha256", "abc"), "graphs.prior.sha256"),
        Arguments.of("escaping graph file", (Consumer<ObjectNode>) n -> ((ObjectNode) n.at("/graphs/prior")).put("file", "../x.onnx"), "graphs.prior.file"),
        Arguments.of("bad dtype", (Consumer<ObjectNode>) n -> ((ObjectNode) n.at("/graphs/prior/inputs/0")).put("dtype", "float64"), "dtype"),
        Arguments.of("unknown skip class", (Consumer<ObjectNode>) n -> ((ObjectNode) n.get("gating")).put("skip_class", "cat"), "gating.skip_class"),
        Arguments.of("threshold over 1", (Consumer<ObjectNode>) n -> ((ObjectNode) n.get("gating")).put("threshold", 2.0), "gating.threshold"),
        Arguments.of("zero steps", (Consumer<ObjectNode>) n -> ((ObjectNode) n.get("sampling_defaults")).put("steps", 0), "sampling_defaults.steps"),
        Arguments.of("escaping file entry", (Consumer<ObjectNode>) n -> ((ObjectNode) n.get("files")).put("../x", "0".repeat(64)), "files: '../x'"));
  }

  private static ObjectNode at(ObjectNode n, String pointer) {
    return (ObjectNode) n.at(pointer);
  }

  /** Values that parse but cannot work: each is refused naming the key, the value and the range. */
  static Stream<Arguments> outOfRangeValues() {
    return Stream.of(
        Arguments.of((Consumer<ObjectNode>) n -> at(n, "/diffusion").put("num_train_timesteps", 2_000_000_000),
            "diffusion.num_train_timesteps is 2000000000, expected 2..100000"),
        Arguments.of((Consumer<ObjectNode>) n -> at(n, "/diffusion").put("num_train_timesteps", 1),
            "diffusion.num_train_timesteps is 1, expected 2..100000"),
        Arguments.of((Consumer<ObjectNode>) n -> at(n, "/diffusion").put("beta_end", 1.5),
            "diffusion.beta_end is 1.5, expected 0 < beta_end < 1"),
        Arguments.of((Consumer<ObjectNode>) n -> at(n, "/diffusion").put("beta_start", 0.0),
            "diffusion.beta_start is 0.0, expected 0 < beta_start < 1"),
        Arguments.of((Consumer<ObjectNode>) n -> at(n, "/diffusion").put("beta_start", 0.05),
            "diffusion.beta_start is 0.05, expected at most diffusion.beta_end (0.02)"),
        Arguments.of((Consumer<ObjectNode>) n -> at(n, "/diffusion").put("beta_schedule", "cosine"),
            "diffusion.beta_schedule is 'cosine', expected one of [linear, scaled_linear, squaredcos_cap_v2]"),
        Arguments.of((Consumer<ObjectNode>) n -> at(n, "/diffusion").putArray("mask_value_range").add(-1).add(1e9),
            "diffusion.mask_value_range is [-1.0, 1.0E9], expected [low, high] with low < high, both in [-1000, 1000]"),
        Arguments.of((Consumer<ObjectNode>) n -> at(n, "/sampling_defaults").put("steps", 1_000_000),
            "sampling_defaults.steps is 1000000, expected 1..1000"),
        Arguments.of((Consumer<ObjectNode>) n -> at(n, "/sampling_defaults").put("steps", 1001),
            "sampling_defaults.steps is 1001, expected 1..1000"),
        Arguments.of((Consumer<ObjectNode>) n -> at(n, "/sampling_defaults").put("ensemble", 1000),
            "sampling_defaults.ensemble is 1000, expected 1..64"),
        Arguments.of((Consumer<ObjectNode>) n -> at(n, "/sampling_defaults").put("mask_threshold", 1.0),
            "sampling_defaults.mask_threshold is 1.0, expected a probability in (0, 1)"),
        Arguments.of((Consumer<ObjectNode>) n -> at(n, "/sampling_defaults").put("seed", -1),
            "sampling_defaults.seed is -1, expected 0..9223372036854775807"),
        Arguments.of((Consumer<ObjectNode>) n -> at(n, "/gating").put("threshold", -0.5),
            "gating.threshold: expected a probability in [0, 1], got -0.5"),
        Arguments.of((Consumer<ObjectNode>) n -> at(n, "/input").put("height", 1_000_000),
            "input.height is 1000000, expected 1..4096"),
        Arguments.of((Consumer<ObjectNode>) n -> at(n, "/input").put("width", 0),
            "input.width is 0, expected 1..4096"),
        Arguments.of((Consumer<ObjectNode>) n -> at(n, "/input").putArray("intensity_window").add(-5).add(235),
            "input.intensity_window is [-5.0, 235.0], expected [low, high] with low < high, both in [0, 65535]"),
        Arguments.of((Consumer<ObjectNode>) n -> at(n, "/input").putArray("normalization_range").add(-1).add(Double.POSITIVE_INFINITY),
            "input.normalization_range is [-1.0, Infinity], expected [low, high] with low < high, both in [-1000, 1000]"),
        Arguments.of((Consumer<ObjectNode>) n -> at(n, "/graphs/prior").put("opset", 1000),
            "graphs.prior.opset is 1000, expected 1..100"),
        Arguments.of((Consumer<ObjectNode>) n -> at(n, "/exported_with").put("opset", 0),
            "exported_with.opset is 0, expected 1..100"),
        Arguments.of((Consumer<ObjectNode>) n -> at(n, "/exported_with").put("max_abs_error_vs_torch", -1.0),
            "exported_with.max_abs_error_vs_torch is -1.0, expected a finite number >= 0"),
        Arguments.of((Consumer<ObjectNode>) n -> ((com.fasterxml.jackson.databind.node.ArrayNode) n.at(
                "/graphs/prior/inputs/0/shape")).set(2, JSON.getNodeFactory().numberNode(1L << 40)),
            "graphs.prior.inputs[0].shape is [N, 1, 1099511627776, 32], expected dimensions that are integers in "
                + "1..2147483647 or names"),
        Arguments.of((Consumer<ObjectNode>) n -> at(n, "/graphs/prior/outputs/0").putArray("range").add(0).add(Double.POSITIVE_INFINITY),
            "graphs.prior.outputs[0].range is [0.0, Infinity], expected [low, high] with low < high, both finite"));
  }

  @ParameterizedTest(name = "{1}")
  @MethodSource("outOfRangeValues")
  void refusesValuesOutsideTheirRangeNamingFileKeyRangeAndValue(Consumer<ObjectNode> breakIt, String expected)
      throws Exception {
    ObjectNode node = tinyManifest();
    breakIt.accept(node);
    assertThatThrownBy(() -> parse(node)).isInstanceOf(BundleException.class)
        .hasMessage("bundle.json: " + expected);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("brokenManifests")
  void refusesABrokenManifestNamingTheKey(String name, Consumer<ObjectNode> breakIt, String expected) throws Exception {
    ObjectNode node = tinyManifest();
    breakIt.accept(node);
    assertThatThrownBy(() -> parse(node)).isInstanceOf(BundleException.class).hasMessageContaining(expected)
        .hasMessageStartingWith("bundle.json");
  }

  @Test
  void lenientModeIgnoresUnknownKeys() throws Exception {
    ObjectNode node = tinyManifest();
    node.put("surprise", 1);
    assertThat(ManifestParser.lenient().parse(node.toString().getBytes(), "bundle.json").id()).isEqualTo("pgdiffseg-tiny-test");
  }

  @Test
  void refusesInvalidJson() {
    assertThatThrownBy(() -> ManifestParser.strict().parse("{".getBytes(), "bundle.json"))
        .isInstanceOf(BundleException.class).hasMessageContaining("not valid JSON");
    assertThatThrownBy(() -> ManifestParser.strict().parse("[1]".getBytes(), "bundle.json"))
        .isInstanceOf(BundleException.class).hasMessageContaining("expected a JSON object");
  }
}
