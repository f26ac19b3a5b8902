package org.pgdiffseg.samples;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pgdiffseg.sdk.bundle.TestBundles;

/**
 * The CLI never deletes or overwrites a file it did not write, one run at a time holds an output folder, and
 * its files land whole. Each case is something a user owns: a reference mask beside its image, a file that
 * happens to carry an output's name, a results.json or eval.csv of their own.
 */
class OutputOwnershipTest {
  static Path tiny;
  static byte[] png;
  @TempDir Path tmp;

  @BeforeAll
  static void load() throws Exception {
    tiny = TestBundles.tiny();
    png = Files.readAllBytes(tiny.resolve("fixtures/preprocess_input.png"));
  }

  static CliRun segment(String... args) {
    return CliRun.segmentWithTinyModel(args);
  }

  static JsonNode results(Path out) throws Exception {
    return new ObjectMapper().readTree(out.resolve("results.json").toFile());
  }

  /** The test image written at {@code relative} under the test's folder. */
  Path input(String relative) throws Exception {
    Path image = tmp.resolve(relative);
    Files.createDirectories(image.getParent());
    return Files.write(image, png);
  }

  /** A user's file: any bytes that are not a PNG the tool would write. */
  static Path usersFile(Path file) throws Exception {
    Files.createDirectories(file.getParent());
    return Files.writeString(file, "the user's own " + file.getFileName());
  }

  @Test
  void aReferenceMaskBesideItsImageIsNeitherReadNorOverwrittenWhenTheFolderIsAlsoOut() throws Exception {
    Path busi = Files.createDirectories(tmp.resolve("busi"));
    Files.write(busi.resolve("benign (1).png"), png);
    byte[] truth = Files.readAllBytes(tiny.resolve("fixtures/preprocess_input.png"));
    Files.write(busi.resolve("benign (1)_mask.png"), truth);   // a real image, so it would decode as an input
    Files.writeString(busi.resolve("benign (1)_overlay.png"), "mine");
    CliRun r = segment("--out", busi.toString(), busi.toString());
    assertThat(r.code()).as(r.err()).isZero();
    assertThat(Files.readAllBytes(busi.resolve("benign (1)_mask.png"))).isEqualTo(truth);
    assertThat(busi.resolve("benign (1)_overlay.png")).hasContent("mine");
    JsonNode rows = results(busi).path("results");
    assertThat(rows).hasSize(1);
    assertThat(Path.of(rows.get(0).path("mask").asText()).getFileName()).hasToString("benign (1)_png_mask.png");
    assertThat(r.err()).contains("benign (1)_mask.png").contains("never overwritten");
    // a second run replaces its own outputs, and still not the user's
    CliRun again = segment("--out", busi.toString(), busi.toString());
    assertThat(again.code()).as(again.err()).isZero();
    assertThat(Path.of(results(busi).path("results").get(0).path("mask").asText()).getFileName())
        .hasToString("benign (1)_png_mask.png");
    assertThat(Files.readAllBytes(busi.resolve("benign (1)_mask.png"))).isEqualTo(truth);
    assertThat(again.err()).contains("benign (1)_png_mask.png: an output of an earlier run");
  }

  @Test
  void aUsersFileWithAnOutputsNameIsPassedOverAndItsOwnOutputsAreReusedByTheNextRun() throws Exception {
    Path image = input("in/x.png");
    Path out = tmp.resolve("out");
    usersFile(out.resolve("x_mask.png"));
    usersFile(out.resolve("x_png_overlay.png"));
    for (int run = 0; run < 2; run++) {
      CliRun r = segment("--out", out.toString(), image.toString());
      assertThat(r.code()).as(r.err()).isZero();
      assertThat(Path.of(results(out).path("results").get(0).path("mask").asText()).getFileName())
          .as("run %d", run).hasToString("x_png_2_mask.png");
    }
    assertThat(out.resolve("x_mask.png")).hasContent("the user's own x_mask.png");
    assertThat(out.resolve("x_png_overlay.png")).hasContent("the user's own x_png_overlay.png");
    try (var files = Files.list(out)) {
      assertThat(files.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".png")))
          .containsExactlyInAnyOrder("x_mask.png", "x_png_overlay.png", "x_png_2_mask.png", "x_png_2_overlay.png");
    }
  }

  @Test
  void aResultsJsonOrEvalFileThePgdiffsegDidNotWriteIsRefusedNotReplaced() throws Exception {
    Path image = input("in/x.png");
    Path out = tmp.resolve("out");
    Path record = usersFile(out.resolve("results.json"));
    CliRun r = segment("--out", out.toString(), image.toString());
    assertThat(r.code()).isEqualTo(PgDiffSegCli.BAD_INPUT);
    assertThat(r.err()).contains("results.json that pgdiffseg did not write");
    assertThat(record).hasContent("the user's own results.json");
    try (var files = Files.list(out)) {
      assertThat(files.map(p -> p.getFileName().toString()).filter(n -> !n.startsWith(".")))
          .containsExactly("results.json");
    }

    Path masks = Files.createDirectories(tmp.resolve("masks"));
    Files.write(masks.resolve("x.png"), png);
    Path evalOut = tmp.resolve("eval");
    Path csv = usersFile(evalOut.resolve("eval.csv"));
    CliRun e = CliRun.of("eval", "--model", tiny.toString(), "--steps", "2", "--cpu", "--images",
        image.getParent().toString(), "--masks", masks.toString(), "--out", evalOut.toString());
    assertThat(e.code()).isEqualTo(PgDiffSegCli.BAD_INPUT);
    assertThat(e.err()).contains("eval.csv that pgdiffseg did not write");
    assertThat(csv).hasContent("the user's own eval.csv");
  }

  @Test
  void aTrajectoryDoesNotReplaceAUsersFileOfItsName() throws Exception {
    Path image = input("in/x.png");
    Path out = tmp.resolve("traj");
    Path gif = usersFile(out.resolve("x_trajectory.gif"));
    CliRun r = CliRun.of("trajectory", "--model", tiny.toString(), "--steps", "2", "--cpu", "--out", out.toString(),
        image.toString());
    assertThat(r.code()).isEqualTo(PgDiffSegCli.BAD_INPUT);
    assertThat(r.err()).contains("x_trajectory.gif that pgdiffseg did not write");
    assertThat(gif).hasContent("the user's own x_trajectory.gif");
    assertThat(out.resolve("x_trajectory.png")).doesNotExist();
  }

  @Test
  void aSecondRunOnAFolderHeldByAnotherProcessIsRefusedNamingIt() throws Exception {
    Path image = input("in/x.png");
    Path out = tmp.resolve("out");
    Process holder = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp",
        System.getProperty("java.class.path"), FolderHolder.class.getName(), out.toString())
        .redirectError(ProcessBuilder.Redirect.INHERIT).start();
    try {
      BufferedReader lines = new BufferedReader(new InputStreamReader(holder.getInputStream(), StandardCharsets.UTF_8));
      assertThat(lines.readLine()).isEqualTo("held");
      CliRun r = segment("--out", out.toString(), image.toString());
      assertThat(r.code()).isEqualTo(PgDiffSegCli.BAD_INPUT);
      assertThat(r.err()).contains("is in use by another pgdiffseg run (process " + holder.pid() + ")");
      assertThat(out.resolve("results.json")).doesNotExist();
    } finally {
      holder.getOutputStream().close();
      assertThat(holder.waitFor(30, TimeUnit.SECONDS)).isTrue();
    }
    CliRun after = segment("--out", out.toString(), image.toString());
    assertThat(after.code()).as("the folder is free once its holder exits: %s", after.err()).isZero();
  }

  @Test
  void theRecordGetsTheSameModeAsTheMasks() throws Exception {
    Path image = input("in/x.png");
    Path out = tmp.resolve("out");
    assertThat(segment("--out", out.toString(), image.toString()).code()).isZero();
    String mask = PosixFilePermissions.toString(Files.getPosixFilePermissions(out.resolve("x_mask.png")));
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(out.resolve("results.json"))))
        .isEqualTo(mask);
    assertThat(mask).as("readable by others under the usual umask, as files the user makes").startsWith("rw-r");
  }

  @Test
  void hiddenFilesOfAFolderAreNotInputs() throws Exception {
    Path in = Files.createDirectories(tmp.resolve("in"));
    Files.write(in.resolve("x.png"), png);
    Files.write(in.resolve(".x.png"), png);   // e.g. macOS's AppleDouble files, editors' swap files
    Path out = tmp.resolve("out");
    CliRun r = segment("--out", out.toString(), in.toString());
    assertThat(r.code()).as(r.err()).isZero();
    assertThat(results(out).path("results")).hasSize(1);
  }
}
