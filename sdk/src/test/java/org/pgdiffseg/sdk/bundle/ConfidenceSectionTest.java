package org.pgdiffseg.sdk.bundle;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;
import org.pgdiffseg.sdk.BundleException;

/** bundle.json's optional confidence section, parsed as strictly as the others. */
class ConfidenceSectionTest {
  static ObjectNode withSection() throws Exception {
    ObjectNode node = ManifestParserTest.tinyManifest();
    ObjectNode c = node.putObject("confidence");
    c.putArray("signals").add("coarse_agreement").add("first_step_agreement");
    c.putArray("coefficients").add(4.5).add(20.0);
    c.put("intercept", -18.0);
    c.put("review_threshold", 0.7);
    c.put("fitted_on", "BUSI train tumor images");
    c.put("command", "cd zoo/python && python -m pgdiffseg.confidence ...");
    c.putObject("validation").put("spearman", 0.8).put("auroc", 0.87);
    return node;
  }

  @Test
  void aBundleWithoutTheSectionHasNoConfidenceModel() throws Exception {
    assertThat(ManifestParserTest.parse(ManifestParserTest.tinyManifest()).confidence()).isNull();
  }

  @Test
  void parsesTheSection() throws Exception {
    var c = ManifestParserTest.parse(withSection()).confidence();
    assertThat(c.signals()).containsExactly("coarse_agreement", "first_step_agreement");
    assertThat(c.coefficients()).containsExactly(4.5, 20.0);
    assertThat(c.intercept()).isEqualTo(-18.0);
    assertThat(c.reviewThreshold()).isEqualTo(0.7);
    assertThat(c.validation().auroc()).isEqualTo(0.87);
    assertThat(c.gatePrecision()).isNull();   // optional: the gate's own P(skip) then
  }

  @Test
  void parsesTheGatePrecisionAndTheMirrorsPriorSignal() throws Exception {
    ObjectNode node = withSection();
    ObjectNode c = (ObjectNode) node.get("confidence");
    c.putArray("signals").add("mirror_prior_agreement");
    c.putArray("coefficients").add(9.8);
    c.put("gate_precision", 0.989362);
    var parsed = ManifestParserTest.parse(node).confidence();
    assertThat(parsed.signals()).containsExactly("mirror_prior_agreement");
    assertThat(parsed.gatePrecision()).isEqualTo(0.989362);
  }

  static Stream<Arguments> brokenSections() {
    return Stream.of(
        Arguments.of((Consumer<ObjectNode>) c -> c.remove("signals"), "missing key 'confidence.signals'"),
        Arguments.of((Consumer<ObjectNode>) c -> c.putArray("signals"), "expected at least one signal"),
        Arguments.of((Consumer<ObjectNode>) c -> c.putArray("signals").add("coarse_agreement").add("magic"),
            "unknown signal 'magic'"),
        Arguments.of((Consumer<ObjectNode>) c -> c.putArray("signals").add("sharpness").add("sharpness"),
            "named twice"),
        Arguments.of((Consumer<ObjectNode>) c -> c.putArray("coefficients").add(1.0), "expected 2 (one per signal), got 1"),
        Arguments.of((Consumer<ObjectNode>) c -> c.remove("intercept"), "missing key 'confidence.intercept'"),
        Arguments.of((Consumer<ObjectNode>) c -> c.put("review_threshold", 1.5), "confidence.review_threshold"),
        Arguments.of((Consumer<ObjectNode>) c -> c.remove("review_threshold"), "missing key 'confidence.review_threshold'"),
        Arguments.of((Consumer<ObjectNode>) c -> c.put("intercept", "high"), "confidence.intercept"),
        Arguments.of((Consumer<ObjectNode>) c -> c.put("gate_precision", 0.0), "confidence.gate_precision"),
        Arguments.of((Consumer<ObjectNode>) c -> c.put("gate_precision", 1.2), "confidence.gate_precision"),
        Arguments.of((Consumer<ObjectNode>) c -> c.put("gate_precision", "sure"), "confidence.gate_precision"),
        Arguments.of((Consumer<ObjectNode>) c -> c.putArray("signals").add("flip_agreement").add("sharpness"),
            "unknown signal 'flip_agreement'"),
        Arguments.of((Consumer<ObjectNode>) c -> c.put("temperature", 2), "unknown key 'confidence.temperature'"));
  }

  @ParameterizedTest
  @MethodSource("brokenSections")
  void refusesABrokenSectionNamingTheKey(Consumer<ObjectNode> breakIt, String expected) throws Exception {
    ObjectNode node = withSection();
    breakIt.accept((ObjectNode) node.get("confidence"));
    assertThatThrownBy(() -> ManifestParserTest.parse(node)).isInstanceOf(BundleException.class)
        .hasMessageContaining(expected);
  }
}
