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
