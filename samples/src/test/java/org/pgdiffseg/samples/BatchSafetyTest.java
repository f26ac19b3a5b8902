package org.pgdiffseg.samples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.api.io.TempDir;
import org.pgdiffseg.sdk.bundle.TestBundles;
import org.pgdiffseg.sdk.imaging.DicomFiles;

/** A batch never loses, overwrites or misattributes an output, and its record survives interruption. */
class BatchSafetyTest {
  static Path tiny;
  static byte[] png;
  @TempDir Path tmp;
  String err;

  @BeforeAll
  static void load() throws Exception {
    tiny = TestBundles.tiny();
    png = Files.readAllBytes(tiny.resolve("fixtures/preprocess_input.png"));
  }

  int segment(String... args) {
    CliRun r = CliRun.segmentWithTinyModel(args);
    err = r.err();
    return r.code();
  }

  Path write(Path file, byte[] data) throws Exception {
    Files.createDirectories(file.getParent());
    return Files.write(file, data);
  }

  static JsonNode results(Path out) throws Exception {
    return new ObjectMapper().readTree(out.resolve("results.json").toFile());
  }

  @Test
  void clashingNamesGetTheirOwnOutputsAndTheRecordSaysWhich() throws Exception {
    write(tmp.resolve("a/x.png"), png);
    write(tmp.resolve("b/x.png"), png);
    write(tmp.resolve("c/y.png"), png);
    write(tmp.resolve("c/y.jpg"), png);   // decoded by content, named .jpg
    write(tmp.resolve("c/scan.dcm"), DicomFiles.identified(16, 16, 2, "1.2.3.1", "1.2.3.2", "1.2.3.3"));
    write(tmp.resolve("c/scan_f001.png"), png);
    Path out = tmp.resolve("out");
    assertThat(segment("--out", out.toString(), tmp.resolve("a").toString(), tmp.resolve("b").toString(),
        tmp.resolve("c").toString())).as(err).isZero();
    JsonNode rows = results(out).path("results");
    assertThat(rows).hasSize(7);
    Set<String> masks = new HashSet<>();
    for (JsonNode row : rows) {
      assertThat(masks.add(row.path("mask").asText())).as("mask of %s is unique", row.path("image").asText()).isTrue();
      assertThat(Path.of(row.path("mask").asText())).exists();
      assertThat(Path.of(row.path("overlay").asText())).exists();
    }
    assertThat(masks).extracting(m -> Path.of(m).getFileName().toString()).contains("x_mask.png", "x_png_mask.png",
        "y_mask.png", "y_png_mask.png", "scan_f001_mask.png", "scan_f002_mask.png", "scan_f001_png_mask.png");
    assertThat(results(out).path("status").asText()).isEqualTo("complete");
  }

  @Test
  void aStaleRecordOfAnEarlierRunIsReplacedAndNoTemporaryFileIsLeft() throws Exception {
    Path out = Files.createDirectories(tmp.resolve("out"));
    Files.writeString(out.resolve("results.json"),   // as an earlier run wrote it
        "{\"status\": \"complete\", \"results\": [{\"image\": \"someone-else.png\"}], \"failures\": []}");
    assertThat(segment("--out", out.toString(), write(tmp.resolve("in/one.png"), png).toString())).isZero();
    assertThat(results(out).path("results")).hasSize(1);
    assertThat(results(out).path("results").get(0).path("image").asText()).endsWith("one.png");
    try (var files = Files.list(out)) {
      assertThat(files.map(p -> p.getFileName().toString())).noneMatch(n -> n.endsWith(".tmp"));
    }
  }

  @Test
  void anOutputFolderThatIsAlsoTheInputIsNotReadBack() throws Exception {
    Path folder = tmp.resolve("both");
    write(folder.resolve("scan.png"), png);
    for (int run = 0; run < 3; run++) {
      assertThat(segment("--out", folder.toString(), folder.toString())).as(err).isZero();
      assertThat(results(folder).path("results")).as("run %d", run).hasSize(1);
    }
    assertThat(err).contains("scan_mask.png").contains("output of an earlier run");
  }

  @Test
  void aVeryLongNameGetsBothOutputsOrNeither() throws Exception {
    Path in = write(tmp.resolve("in/" + "n".repeat(245) + ".png"), png);
    Path out = tmp.resolve("out");
    assertThat(segment("--out", out.toString(), in.toString())).as(err).isZero();
    JsonNode row = results(out).path("results").get(0);
    assertThat(Path.of(row.path("mask").asText())).exists();
    assertThat(Path.of(row.path("overlay").asText())).exists();
    assertThat(Path.of(row.path("overlay").asText()).getFileName().toString().length()).isLessThanOrEqualTo(255);
  }

  @Test
  @EnabledOnOs(OS.LINUX)
  void aFifoIsSkippedInAFolderAndRefusedByNameWhileTheBatchGoesOn() throws Exception {
    Path folder = Files.createDirectories(tmp.resolve("in"));
    write(folder.resolve("good.png"), png);
    assertThat(new ProcessBuilder("mkfifo", folder.resolve("pipe.png").toString()).start().waitFor()).isZero();
    Path out = tmp.resolve("out");
    assertTimeoutPreemptively(Duration.ofSeconds(60), () -> {
      assertThat(segment("--out", out.toString(), folder.toString())).isZero();
      assertThat(err).contains("pipe.png").contains("not a regular file");
      assertThat(segment("--out", out.toString(), folder.resolve("pipe.png").toString(),
          folder.resolve("good.png").toString())).isEqualTo(PgDiffSegCli.BAD_INPUT);
    });
    assertThat(results(out).path("results")).hasSize(1);
    assertThat(results(out).path("failures").get(0).path("message").asText()).contains("not a regular file");
  }

  @Test
  @EnabledOnOs(OS.LINUX)
  void aFileNameThatIsNotUtf8IsTracedByItsBytes() throws Exception {
    Path folder = Files.createDirectories(tmp.resolve("in"));
    write(folder.resolve("good.png"), png);
    // Only a shell can make a name from raw bytes; Java strings cannot hold an invalid UTF-8 name.
    assertThat(new ProcessBuilder("sh", "-c", "cp good.png \"$(printf 'bad\\377name.png')\"").directory(folder.toFile())
        .start().waitFor()).isZero();
    Path out = tmp.resolve("out");
    assertThat(segment("--out", out.toString(), folder.toString())).as(err).isZero();
    JsonNode rows = results(out).path("results");
    assertThat(rows).hasSize(2);
    JsonNode bad = rows.get(0).path("image").asText().contains("bad") ? rows.get(0) : rows.get(1);
    assertThat(bad.path("image_uri").asText()).contains("bad%FFname.png");
    assertThat(Path.of(bad.path("mask").asText()).getFileName().toString()).isEqualTo("bad_name_mask.png");
  }

  @Test
  @EnabledOnOs(OS.LINUX)
  void nonAsciiNamesWorkUnderTheCLocale() throws Exception {
    Path folder = Files.createDirectories(tmp.resolve("in"));
    write(folder.resolve("café.png"), png);
    write(folder.resolve("plain.png"), png);
    Path out = tmp.resolve("out");
    Path log = tmp.resolve("log.txt");
    Process p = ChildCli.start(Map.of("LC_ALL", "C", "LANG", "C"), log, "segment", "--model", tiny.toString(),
        "--steps", "2", "--cpu", "--out", out.toString(), folder.toString());
    assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).as(Files.readString(log)).isZero();
    assertThat(results(out).path("results")).hasSize(2);
  }

  @Test
  void aBatchStoppedBySigtermLeavesAWholeRecordOfWhatWasDone() throws Exception {
    Path folder = Files.createDirectories(tmp.resolve("in"));
    for (int i = 0; i < 200; i++) {
      write(folder.resolve(String.format("img%03d.png", i)), png);
    }
    Path out = tmp.resolve("out");
    Path log = tmp.resolve("log.txt");
    Process p = ChildCli.start(Map.of(), log, "segment", "--model", tiny.toString(), "--steps", "50", "--cpu",
        "--no-gating", "--out", out.toString(), folder.toString());
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
    while (System.nanoTime() < deadline && countMasks(out) < 3) {
      Thread.sleep(100);
    }
    assertThat(countMasks(out)).as(Files.readString(log, StandardCharsets.UTF_8)).isGreaterThanOrEqualTo(3);
    p.destroy();   // SIGTERM
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    JsonNode record = results(out);
    assertThat(record.path("status").asText()).isEqualTo("interrupted");
    assertThat(record.path("results").size()).isGreaterThanOrEqualTo(2).isLessThan(200);
  }

  private static long countMasks(Path out) throws Exception {
    if (!Files.isDirectory(out)) {
      return 0;
    }
    try (var files = Files.list(out)) {
      return files.filter(f -> f.getFileName().toString().endsWith("_mask.png")).count();
    }
  }

  @Test
  void batchingChangesNoMaskAndABadInputStillFailsAlone() throws Exception {
    Path folder = Files.createDirectories(tmp.resolve("in"));
    for (int i = 0; i < 5; i++) {
      write(folder.resolve("img" + i + ".png"), png);
    }
    Files.writeString(folder.resolve("img2b.png"), "not an image");
    Path one = tmp.resolve("one");
    Path four = tmp.resolve("four");
    assertThat(segment("--no-gating", "--out", one.toString(), folder.toString())).isEqualTo(PgDiffSegCli.BAD_INPUT);
    assertThat(segment("--no-gating", "--batch", "4", "--out", four.toString(), folder.toString()))
        .isEqualTo(PgDiffSegCli.BAD_INPUT);
    assertThat(results(four).path("results")).hasSize(5);
    assertThat(results(four).path("failures")).hasSize(1);
    for (int i = 0; i < 5; i++) {
      assertThat(Files.readAllBytes(four.resolve("img" + i + "_mask.png")))
          .isEqualTo(Files.readAllBytes(one.resolve("img" + i + "_mask.png")));
    }
    assertThat(segment("--batch", "0", folder.toString())).isEqualTo(PgDiffSegCli.BAD_INPUT);
    assertThat(err).contains("--batch");
    assertThat(segment("--initial-sample", "ones", folder.toString())).isEqualTo(PgDiffSegCli.BAD_INPUT);
    assertThat(err).contains("--initial-sample");
  }
}
