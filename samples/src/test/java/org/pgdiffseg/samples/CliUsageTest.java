package org.pgdiffseg.samples;

import static org.assertj.core.api.Assertions.assertThat;

import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pgdiffseg.sdk.imaging.DecodedImage;
import org.pgdiffseg.sdk.imaging.ImageDecoder;

/** Bad options and output paths are refused up front with exit 2, naming the option; read-only commands only read. */
class CliUsageTest {
  static final Path ROOT = RepositoryRoot.find();
  static final String TINY = ROOT.resolve("zoo/models/pgdiffseg-tiny-test").toString();
  static final String IMAGE = ROOT.resolve("samples/images/benign_306.png").toString();
  static final String NORMAL = ROOT.resolve("samples/images/normal_095.png").toString();
  @TempDir Path tmp;
  String out;
  String err;

  int run(String... args) {
    CliRun r = CliRun.of(args);
    out = r.out();
    err = r.err();
    return r.code();
  }

  @Test
  void stepsBeyondTheTrainingTimestepsAreRefusedByTheirOptionNameEvenWhenTheGateWouldSkip() {
    for (String image : new String[] {IMAGE, NORMAL}) {
      assertThat(run("segment", "--model", TINY, "--cpu", "--steps", "5000", "--out", tmp.resolve("o").toString(), image))
          .isEqualTo(PgDiffSegCli.BAD_INPUT);
      assertThat(err).contains("--steps must be in 1..1000").doesNotContain("num_inference_steps");
    }
    assertThat(tmp.resolve("o/results.json")).doesNotExist();
    assertThat(run("trajectory", "--model", TINY, "--steps", "0", "--out", tmp.resolve("t").toString(), IMAGE))
        .isEqualTo(PgDiffSegCli.BAD_INPUT);
    assertThat(err).contains("--steps");
  }

  @Test
  void ensembleSeedAndThresholdsOutOfRangeExitTwo() {
    String[][] cases = {{"--ensemble", "0"}, {"--ensemble", "65"}, {"--seed", "-1"}, {"--threshold", "1.5"},
        {"--gate-threshold", "-0.1"}, {"--threads", "0"}, {"--threads", "2000"}, {"--ensemble", "1000000"}};
    for (String[] c : cases) {
      assertThat(run("segment", "--model", TINY, c[0], c[1], "--out", tmp.resolve("o").toString(), IMAGE))
          .as(c[0] + " " + c[1]).isEqualTo(PgDiffSegCli.BAD_INPUT);
      assertThat(err).as(c[0]).contains(c[0] + " must be");
    }
  }

  @Test
  void outputPathsThatAreFilesOrUnderFilesExitTwoForEveryCommand() throws Exception {
    Path file = Files.writeString(tmp.resolve("notes.txt"), "a file");
    String under = file.resolve("sub").toString();
    Path images = Files.createDirectories(tmp.resolve("images"));
    Files.copy(Path.of(IMAGE), images.resolve("benign_306.png"));
    for (String target : new String[] {file.toString(), under}) {
      assertThat(run("eval", "--model", TINY, "--images", images.toString(), "--masks", images.toString(), "--out", target))
          .as("eval " + target).isEqualTo(PgDiffSegCli.BAD_INPUT);
      assertThat(run("trajectory", "--model", TINY, "--out", target, IMAGE)).as("trajectory " + target)
          .isEqualTo(PgDiffSegCli.BAD_INPUT);
      assertThat(err).contains("--out");
    }
    assertThat(run("conformance", "--bundle", TINY, "--report", file.resolve("report.json").toString()))
        .isEqualTo(PgDiffSegCli.BAD_INPUT);
    assertThat(err).contains("--report");
    assertThat(run("conformance", "--bundle", TINY, "--junit", tmp.toString())).isEqualTo(PgDiffSegCli.BAD_INPUT);
    assertThat(err).contains("--junit").contains("is a folder");
    assertThat(run("bench", "--model", TINY, tmp.resolve("missing.png").toString())).isEqualTo(PgDiffSegCli.BAD_INPUT);
  }

  @Test
  void evalOnAFolderWithoutImagesExitsTwo() throws Exception {
    Path empty = Files.createDirectories(tmp.resolve("empty"));
    Path masks = Files.createDirectories(tmp.resolve("masks"));
    assertThat(run("eval", "--model", TINY, "--images", empty.toString(), "--masks", masks.toString(), "--out",
        tmp.resolve("e").toString())).isEqualTo(PgDiffSegCli.BAD_INPUT);
    assertThat(err).contains("no images found");
  }

  @Test
  void versionNamesTheBuildTheRuntimeAndTheDefaultModel() {
    assertThat(run("--version")).isZero();
    assertThat(out).containsPattern("pgdiffseg \\d+\\.\\d+\\.\\d+\\S* \\(commit ([0-9a-f]{7,}|unknown)\\)")
        .containsPattern("ONNX Runtime \\d+\\.\\d+").contains("default model pgdiffseg-busi-128 ");
  }

  @Test
  void zooInfoOnlyReads() {
    Path cache = tmp.resolve("cache");
    assertThat(run("zoo", "--cache", cache.toString(), "info", "pgdiffseg-busi-128")).isZero();
    assertThat(out).contains("pgdiffseg-busi-128").contains("Not in the cache yet");
    assertThat(cache).doesNotExist();
    assertThat(run("zoo", "info", TINY)).isZero();
    assertThat(out).contains("Bundle folder");
  }

  @Test
  void conformanceTellsEachCheckAsItCompletes() {
    assertThat(run("conformance", "--bundle", TINY, "--cpu")).isZero();
    assertThat(err).contains("[1] PASSED manifest and sha256").contains("PASSED determinism");
  }

  @Test
  void trajectoryTilesKeepTheImageAspectRatio() throws Exception {
    DecodedImage image = new ImageDecoder().decode(Path.of(IMAGE));   // 256 x 210
    BufferedImage tile = TrajectoryCommand.tile(image, new float[128 * 128], 128, 128, "step 1/1", Map.of("tumor", 0.5));
    assertThat(tile.getWidth()).isEqualTo(TrajectoryCommand.TILE);
    assertThat(tile.getHeight() - 34).isEqualTo(Math.round(TrajectoryCommand.TILE * 210f / 256));
  }
}
