package org.pgdiffseg.samples;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pgdiffseg.sdk.bundle.TestBundles;

/** What a new user runs into in a first week: each case a sentence and the right exit code. */
class FirstWeekTest {
  @TempDir Path tmp;

  @Test
  void aMistypedOptionSuggestsTheRightOneInAFewLines() {
    CliRun r = CliRun.of("segment", "--stps", "3", "x.png");
    assertThat(r.code()).isEqualTo(PgDiffSegCli.BAD_INPUT);
    assertThat(r.err()).contains("Unknown option: '--stps'").contains("--steps")
        .contains("Run 'pgdiffseg segment --help'");
    assertThat(r.err().lines().count()).as(r.err()).isLessThan(6);
  }

  @Test
  void everyCommandPrintsItsVersionAndItsHelpInWholeSentences() {
    for (String command : new String[] {"segment", "eval", "trajectory", "bench", "conformance", "zoo"}) {
      CliRun v = CliRun.of(command, "-V");
      assertThat(v.code()).as(command).isZero();
      assertThat(v.out()).as(command).startsWith("pgdiffseg ");
      CliRun help = CliRun.of(command, "--help");
      assertThat(help.out()).as(command).doesNotContain("results.\n").doesNotContain("results.\r");
    }
    String help = CliRun.of("trajectory", "--help").out();
    assertThat(help).contains("Gating is off so that diffusion always runs.");
    assertThat(help).as("gating options the command overrides are not offered").doesNotContain("--gate-threshold")
        .doesNotContain("--no-gating");
    assertThat(CliRun.of("bench", "--help").out()).doesNotContain("--no-gating");
  }

  @Test
  void conformanceTakesAZooIdAndABundleThatIsNotThereIsBadUsage() {
    CliRun missing = CliRun.of("conformance", "--bundle", tmp.resolve("nonexistent").toString());
    assertThat(missing.code()).isEqualTo(PgDiffSegCli.BAD_INPUT);
    assertThat(missing.err()).contains("no such folder or zip, and not a zoo model id");
  }

  @Test
  void anEnsembleOfIdenticalSamplesIsRefusedNamingTheFix() throws Exception {
    Path image = Files.copy(RepositoryRoot.find().resolve("samples/images/benign_306.png"), tmp.resolve("x.png"));
    CliRun r = CliRun.of("segment", "--cpu", "--ensemble", "5", "--out", tmp.resolve("out").toString(),
        image.toString());
    assertThat(r.code()).isEqualTo(PgDiffSegCli.BAD_INPUT);
    assertThat(r.err()).contains("5 identical samples").contains("--initial-sample noise");
    CliRun noise = CliRun.of("segment", "--model", TestBundles.tiny().toString(), "--cpu", "--steps", "2",
        "--ensemble", "2", "--initial-sample", "noise", "--out", tmp.resolve("out2").toString(), image.toString());
    assertThat(noise.code()).as(noise.err()).isZero();
    CliRun stochastic = CliRun.of("segment", "--model", TestBundles.tiny().toString(), "--cpu", "--steps", "2",
        "--ensemble", "2", "--initial-sample", "zeros", "--scheduler", "ddpm", "--out", tmp.resolve("out3").toString(),
        image.toString());
    assertThat(stochastic.code()).as("DDPM adds noise at each step: its samples differ").isZero();
  }

  @Test
  void aFolderOfSubFoldersSaysSoAndRecursiveTakesThem() throws Exception {
    byte[] png = Files.readAllBytes(RepositoryRoot.find().resolve("samples/images/benign_306.png"));
    Path archive = tmp.resolve("archive");
    Files.write(Files.createDirectories(archive.resolve("p1")).resolve("img.png"), png);
    Files.write(Files.createDirectories(archive.resolve("p2")).resolve("img.png"), png);
    Files.write(Files.createDirectories(archive.resolve(".cache")).resolve("img.png"), png);
    String tiny = TestBundles.tiny().toString();
    CliRun flat = CliRun.of("segment", "--model", tiny, "--cpu", "--steps", "2", "--out",
        tmp.resolve("flat").toString(), archive.toString());
    assertThat(flat.code()).isEqualTo(PgDiffSegCli.BAD_INPUT);
    assertThat(flat.err()).contains("holds 2 sub-folder(s) and no image; add --recursive");
    CliRun deep = CliRun.of("segment", "--model", tiny, "--cpu", "--steps", "2", "--recursive", "--out",
        tmp.resolve("deep").toString(), archive.toString());
    assertThat(deep.code()).as(deep.err()).isZero();
    assertThat(deep.out()).contains("2 segmented");
    assertThat(tmp.resolve("deep/img_mask.png")).exists();
    assertThat(tmp.resolve("deep/img_png_mask.png")).exists();
  }

  @Test
  void aGatedImagesOverlaySaysSo() throws Exception {
    Path image = Files.copy(RepositoryRoot.find().resolve("samples/images/normal_095.png"), tmp.resolve("n.png"));
    Path out = tmp.resolve("out");
    CliRun r = CliRun.of("segment", "--cpu", "--out", out.toString(), image.toString());
    assertThat(r.code()).as(r.err()).isZero();
    assertThat(r.out()).contains("no tumor (gated)");
    byte[] labelled = Files.readAllBytes(out.resolve("n_overlay.png"));
    CliRun plain = CliRun.of("segment", "--cpu", "--no-gating", "--threshold", "0.9999", "--out",
        tmp.resolve("plain").toString(), image.toString());
    assertThat(plain.code()).isZero();
    var decoder = new org.pgdiffseg.sdk.imaging.ImageDecoder();
    var a = decoder.decode(out.resolve("n_overlay.png"));
    var b = decoder.decode(tmp.resolve("plain/n_overlay.png"));
    int differ = 0;
    for (int y = 0; y < 40; y++) {
      for (int x = 0; x < 200; x++) {
        differ += a.grayAt(x, y) != b.grayAt(x, y) ? 1 : 0;
      }
    }
    assertThat(labelled).isNotEmpty();
    assertThat(differ).as("the label is drawn in the top-left corner").isGreaterThan(500);
  }
}
