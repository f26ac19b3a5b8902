package org.pgdiffseg.samples;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pgdiffseg.sdk.bundle.TestBundles;
import org.pgdiffseg.sdk.confidence.Confidence;
import org.pgdiffseg.sdk.gating.GateDecision;
import org.pgdiffseg.sdk.imaging.BinaryMask;
import org.pgdiffseg.sdk.pipeline.SegmentationResult;

/**
 * {@code segment}'s confidence and uncertainty outputs: results.json's confidence and review flag (absent for a
 * bundle without a confidence model), {@code --uncertainty}'s map, which never replaces a user's file, and the
 * overlay's "review" label.
 */
class ConfidenceCliTest {
  static byte[] png;
  @TempDir Path tmp;

  @BeforeAll
  static void load() throws Exception {
    png = Files.readAllBytes(TestBundles.tiny().resolve("fixtures/preprocess_input.png"));
  }

  static JsonNode firstRow(Path out) throws Exception {
    return new ObjectMapper().readTree(out.resolve("results.json").toFile()).path("results").get(0);
  }

  /** The test bundle copied with a confidence section whose review threshold flags every mask (confidence < 1). */
  Path tinyWithConfidence() throws Exception {
    return TestBundles.copyOfTinyWithConfidence(tmp.resolve("tiny-with-confidence"), c -> {
      c.putArray("signals").add("coarse_agreement").add("sharpness");
      c.putArray("coefficients").add(1.0).add(1.0);
      c.put("intercept", 0.0);
      c.put("review_threshold", 1.0);
    });
  }

  @Test
  void aBundleWithoutAConfidenceModelGivesNoConfidence() throws Exception {
    Path image = Files.write(tmp.resolve("x.png"), png);
    Path out = tmp.resolve("out");
    CliRun r = CliRun.segmentWithTinyModel("--no-gating", "--out", out.toString(), image.toString());
    assertThat(r.code()).as(r.err()).isZero();
    JsonNode row = firstRow(out);
    assertThat(row.has("confidence")).isFalse();
    assertThat(row.has("review")).isFalse();
    assertThat(row.has("uncertainty")).isFalse();
    assertThat(out.resolve("x_uncertainty.png")).doesNotExist();
  }

  @Test
  void aFlaggedMaskSaysReviewInResultsAndOnTheConsole() throws Exception {
    Path image = Files.write(tmp.resolve("x.png"), png);
    Path out = tmp.resolve("out");
    CliRun r = CliRun.of("segment", "--model", tinyWithConfidence().toString(), "--steps", "2", "--cpu",
        "--no-gating", "--out", out.toString(), image.toString());
    assertThat(r.code()).as(r.err()).isZero();
    JsonNode row = firstRow(out);
    double confidence = row.path("confidence").asDouble(-1);
    assertThat(confidence).isBetween(0.0, 1.0).isLessThan(1.0);
    assertThat(row.path("review").asBoolean()).isTrue();
    assertThat(r.out()).contains("(review)");
  }

  @Test
  void noConfidenceLeavesItOutOfTheResultsButKeepsTheMap() throws Exception {
    Path image = Files.write(tmp.resolve("x.png"), png);
    Path out = tmp.resolve("out");
    CliRun r = CliRun.of("segment", "--model", tinyWithConfidence().toString(), "--steps", "2", "--cpu",
        "--no-gating", "--no-confidence", "--uncertainty", "--out", out.toString(), image.toString());
    assertThat(r.code()).as(r.err()).isZero();
    JsonNode row = firstRow(out);
    assertThat(row.has("confidence")).isFalse();
    assertThat(row.has("review")).isFalse();
    assertThat(r.out()).doesNotContain("confidence").doesNotContain("(review)");
    assertThat(out.resolve("x_uncertainty.png")).exists();
  }

  @Test
  void uncertaintyWritesTheMapAndNeverAUsersFileOfItsName() throws Exception {
    Path image = Files.write(tmp.resolve("x.png"), png);
    Path out = Files.createDirectories(tmp.resolve("out"));
    Files.writeString(out.resolve("x_uncertainty.png"), "the user's own x_uncertainty.png");
    CliRun r = CliRun.segmentWithTinyModel("--no-gating", "--uncertainty", "--out", out.toString(), image.toString());
    assertThat(r.code()).as(r.err()).isZero();
    assertThat(out.resolve("x_uncertainty.png")).hasContent("the user's own x_uncertainty.png");
    JsonNode row = firstRow(out);
    Path map = Path.of(row.path("uncertainty").asText());
    assertThat(map.getFileName()).hasToString("x_png_uncertainty.png");
    assertThat(Path.of(row.path("mask").asText()).getFileName()).hasToString("x_png_mask.png");
    byte[] written = Files.readAllBytes(map);
    assertThat(new String(written, 1, 3, java.nio.charset.StandardCharsets.US_ASCII)).isEqualTo("PNG");
    var decoded = new org.pgdiffseg.sdk.imaging.ImageDecoder().decode(map);
    assertThat(decoded.width()).isEqualTo(row.path("width").asInt());
    assertThat(decoded.height()).isEqualTo(row.path("height").asInt());
  }

  @Test
  void theOverlaySaysReviewWhenFlaggedAndWhyWhenGated() {
    GateDecision kept = new GateDecision(List.of("no_tumor", "tumor"), List.of(0.1, 0.9), "no_tumor", 0.99, true, false);
    GateDecision gated = new GateDecision(List.of("no_tumor", "tumor"), List.of(0.995, 0.005), "no_tumor", 0.99, true,
        true);
    Confidence flagged = new Confidence(0.31, true, java.util.Map.of());
    Confidence fine = new Confidence(0.97, false, java.util.Map.of());
    assertThat(SegmentCommand.overlayLabel(result(kept, flagged))).isEqualTo("review: confidence 0.31");
    assertThat(SegmentCommand.overlayLabel(result(kept, fine))).isNull();
    assertThat(SegmentCommand.overlayLabel(result(kept, null))).isNull();
    assertThat(SegmentCommand.overlayLabel(result(gated, new Confidence(0.995, false, java.util.Map.of()))))
        .isEqualTo("no lesion (gated): P(no_tumor) = 0.995");
  }

  private static SegmentationResult result(GateDecision gate, Confidence confidence) {
    return new SegmentationResult("x", BinaryMask.empty(2, 2), new float[4], 2, 2, gate, List.of(), null, null, null,
        null, confidence, new float[4]);
  }
}
