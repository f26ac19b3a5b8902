package org.pgdiffseg.samples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Duration;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.pgdiffseg.sdk.bundle.ModelBundle;
import org.pgdiffseg.sdk.bundle.TestBundles;
import org.pgdiffseg.zoo.ModelZoo;
import org.pgdiffseg.zoo.ZooIndex;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The CLI contract: outputs, exit codes 0 / 1 / 2, and a batch that keeps going past bad inputs. */
class CliTest {
  static Path tiny;
  @TempDir Path tmp;
  String out;
  String err;

  @BeforeAll
  static void findBundle() {
    for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
      if (Files.isDirectory(dir.resolve("zoo/models/pgdiffseg-tiny-test"))) {
        tiny = dir.resolve("zoo/models/pgdiffseg-tiny-test");
        return;
      }
    }
    throw new IllegalStateException("test bundle not found");
  }

  int run(String... args) {
    CliRun r = CliRun.of(args);
    out = r.out();
    err = r.err();
    return r.code();
  }

  Path image(String name) throws Exception {
    Path p = tmp.resolve(name);
    Files.write(p, Files.readAllBytes(tiny.resolve("fixtures/preprocess_input.png")));
    return p;
  }

  @Test
  void segmentWritesMasksOverlaysAndResultsAndKeepsGoingPastBadInputs() throws Exception {
    Path good = image("scan.png");
    Path text = tmp.resolve("notes.png");
    Files.writeString(text, "not an image");
    Path results = tmp.resolve("out");
    int code = run("segment", "--model", tiny.toString(), "--steps", "3", "--ensemble", "2", "--cpu", "--out",
        results.toString(), text.toString(), good.toString(), tmp.resolve("missing.png").toString());
    assertThat(code).isEqualTo(PgDiffSegCli.BAD_INPUT);
    assertThat(results.resolve("scan_mask.png")).exists();
    assertThat(results.resolve("scan_overlay.png")).exists();
    JsonNode json = new ObjectMapper().readTree(results.resolve("results.json").toFile());
    assertThat(json.path("results")).hasSize(1);
    assertThat(json.path("results").get(0).path("image").asText()).endsWith("scan.png");
    assertThat(json.path("failures")).hasSize(2);
    assertThat(json.path("failures").get(0).path("error").asText()).isEqualTo("InvalidImageException");
    assertThat(json.path("sampling").path("steps").asInt()).isEqualTo(3);
    assertThat(err).contains("notes.png").contains("missing.png");
  }

  @Test
  void aCleanBatchExitsZero() throws Exception {
    assertThat(run("segment", "--model", tiny.toString(), "--steps", "2", "--cpu", "--out", tmp.resolve("o").toString(),
        image("a.png").toString())).isEqualTo(PgDiffSegCli.OK);
  }

  @Test
  void badUsageExitsTwo() {
    assertThat(run("segment")).isEqualTo(PgDiffSegCli.BAD_INPUT);
    assertThat(run("segment", "--steps", "x", "a.png")).isEqualTo(PgDiffSegCli.BAD_INPUT);
    assertThat(run("no-such-command")).isEqualTo(PgDiffSegCli.BAD_INPUT);
    assertThat(run("segment", "--model", "no-such-model", "a.png")).isEqualTo(PgDiffSegCli.BAD_INPUT);
    assertThat(err).contains("unknown model 'no-such-model'");
    assertThat(run("segment", "--model", "pgdiffseg-tiny-test@0.0.1", "a.png")).isEqualTo(PgDiffSegCli.BAD_INPUT);
    assertThat(err).contains("unknown version '0.0.1' of model 'pgdiffseg-tiny-test': the zoo has [1.0.0]");
    assertThat(run("segment", "--model", tiny.toString(), "--scheduler", "euler", "a.png")).isEqualTo(PgDiffSegCli.BAD_INPUT);
    assertThat(err).contains("unknown scheduler 'euler'");
  }

  @Test
  void sessionOptionsReachTheRuntimeAndBadLevelsExitTwo() throws Exception {
    assertThat(run("bench", "--model", tiny.toString(), "--steps", "2", "--runs", "1", "--warmup", "0", "--cpu",
        "--threads", "1", "--optimization", "basic", "--no-memory-pattern", "--no-spin", image("b.png").toString()))
        .as(err).isEqualTo(PgDiffSegCli.OK);
    assertThat(out).contains("total");
    assertThat(run("bench", "--model", tiny.toString(), "--optimization", "fastest", image("c.png").toString()))
        .isEqualTo(PgDiffSegCli.BAD_INPUT);
    assertThat(err).contains("--optimization").contains("NONE, BASIC, EXTENDED, ALL");
  }

  @Test
  void everyCommandHasHelp() {
    for (String command : new String[] {"segment", "eval", "trajectory", "bench", "zoo", "conformance"}) {
      assertThat(run(command, "--help")).as(command).isZero();
      assertThat(out).as(command).contains("Usage: pgdiffseg " + command);
    }
    assertThat(run("--version")).isZero();
    assertThat(out).contains("pgdiffseg");
  }

  @Test
  void zooVerifyFailsATamperedBundleWithExitOne() throws Exception {
    assertThat(run("zoo", "verify", tiny.toString())).isZero();
    Path copy = tmp.resolve("copy");
    Files.createDirectories(copy);
    try (var files = Files.list(tiny)) {
      for (Path p : (Iterable<Path>) files::iterator) {
        if (Files.isRegularFile(p)) {
          Files.copy(p, copy.resolve(p.getFileName()));
        }
      }
    }
    Files.writeString(copy.resolve("prior.onnx"), "tampered");
    assertThat(run("zoo", "verify", copy.toString())).isEqualTo(PgDiffSegCli.FAILED_CHECK);
    assertThat(out).contains("FAILED").contains("prior.onnx");
  }

  @Test
  void zooVerifyOfAnIdReportsWhatItFindsAndRepairsNothing() throws Exception {
    Path cache = tmp.resolve("cache");
    String id = "pgdiffseg-tiny-test";
    assertThat(run("zoo", "--cache", cache.toString(), "verify", id)).isEqualTo(PgDiffSegCli.FAILED_CHECK);
    assertThat(out).startsWith("MISSING " + id);
    assertThat(cache.resolve("models/" + id + "/1.0.0")).doesNotExist();
    ModelBundle installed = new ModelZoo(cache, ZooIndex.embedded()).get(id);
    assertThat(run("zoo", "--cache", cache.toString(), "verify", id)).isZero();
    assertThat(out).startsWith("OK " + id);
    Files.writeString(installed.root().resolve("prior.onnx"), "tampered");
    assertThat(run("zoo", "--cache", cache.toString(), "verify", id)).isEqualTo(PgDiffSegCli.FAILED_CHECK);
    assertThat(out).startsWith("FAILED " + id).contains("prior.onnx");
    assertThat(installed.root().resolve("prior.onnx")).hasContent("tampered");
  }

  @Test
  @EnabledOnOs(OS.LINUX)
  void zooInfoOfAFolderShowsNoModelCardThatIsALinkToADevice() throws Exception {
    Path copy = TestBundles.copyOfTiny(tmp);
    ObjectNode manifest = (ObjectNode) new ObjectMapper().readTree(copy.resolve("bundle.json").toFile());
    ((ObjectNode) manifest.get("files")).remove("MODEL_CARD.md");   // an unlisted card, not checked by sha256
    new ObjectMapper().writeValue(copy.resolve("bundle.json").toFile(), manifest);
    Files.delete(copy.resolve("MODEL_CARD.md"));
    Files.createSymbolicLink(copy.resolve("MODEL_CARD.md"), Path.of("/dev/zero"));
    assertTimeoutPreemptively(Duration.ofSeconds(60), () -> assertThat(run("zoo", "info", copy.toString())).isZero());
    assertThat(out).contains("MODEL_CARD.md not shown").contains("a symbolic link; not read")
        .contains("Bundle folder: ");
  }

  @Test
  void evalWritesPerImageAndSummaryFiles() throws Exception {
    Path images = Files.createDirectories(tmp.resolve("images"));
    Path masks = Files.createDirectories(tmp.resolve("masks"));
    Files.copy(image("benign_001.png"), images.resolve("benign_001.png"));
    var decoded = new org.pgdiffseg.sdk.imaging.ImageDecoder().decode(images.resolve("benign_001.png"));
    byte[] lesion = new byte[decoded.width() * decoded.height()];
    java.util.Arrays.fill(lesion, 0, lesion.length / 3, (byte) 255);   // a binary reference mask of the image's size
    Files.write(masks.resolve("benign_001.png"),
        org.pgdiffseg.sdk.imaging.ImageWriter.encodeGrayPng(lesion, decoded.width(), decoded.height()));
    int code = run("eval", "--model", tiny.toString(), "--steps", "2", "--cpu", "--images", images.toString(),
        "--masks", masks.toString(), "--out", tmp.resolve("eval").toString());
    assertThat(code).isZero();
    assertThat(Files.readAllLines(tmp.resolve("eval/eval.csv"))).hasSize(2);
    JsonNode summary = new ObjectMapper().readTree(tmp.resolve("eval/eval.json").toFile());
    assertThat(summary.path("per_class").has("benign")).isTrue();
    assertThat(out).contains("Dice");
  }

  @Test
  void conformanceExitsZeroOnTheTestBundle() {
    assertThat(run("conformance", "--bundle", tiny.toString(), "--cpu")).isZero();
    assertThat(out).contains("0 failed");
  }
}
