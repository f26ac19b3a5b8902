package org.pgdiffseg.samples;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pgdiffseg.sdk.bundle.TestBundles;

/** --flip-average / --no-flip-average override the bundle's default, are recorded, and replay. */
class FlipAverageCliTest {
  static Path image;
  @TempDir static Path shared;
  @TempDir Path tmp;

  @BeforeAll
  static void load() throws Exception {
    image = Files.copy(RepositoryRoot.find().resolve("samples/images/benign_306.png"), shared.resolve("scan.png"));
  }

  static JsonNode sampling(Path out, String file) throws Exception {
    return new ObjectMapper().readTree(out.resolve(file).toFile()).path("sampling");
  }

  @Test
  void segmentRecordsFlippingAndAReplayGivesTheSameMask() throws Exception {
    Path on = tmp.resolve("on");
    CliRun r = CliRun.of("segment", "--cpu", "--flip-average", "--out", on.toString(), image.toString());
    assertThat(r.code()).as(r.err()).isZero();
    assertThat(sampling(on, "results.json").path("flip_average").asBoolean()).isTrue();
    Path off = tmp.resolve("off");
    CliRun plain = CliRun.of("segment", "--cpu", "--no-flip-average", "--out", off.toString(), image.toString());
    assertThat(plain.code()).as(plain.err()).isZero();
    assertThat(sampling(off, "results.json").path("flip_average").isBoolean()).isTrue();
    assertThat(sampling(off, "results.json").path("flip_average").asBoolean()).isFalse();
    assertThat(Files.readAllBytes(on.resolve("scan_mask.png")))
        .as("the default model's mask of this scan changes with flipping")
        .isNotEqualTo(Files.readAllBytes(off.resolve("scan_mask.png")));

    Path replayed = tmp.resolve("replayed");
    CliRun replay = CliRun.of("segment", "--settings-from", on.resolve("results.json").toString(), "--cpu", "--out",
        replayed.toString(), image.toString());
    assertThat(replay.code()).as(replay.err()).isZero();
    assertThat(Files.readAllBytes(replayed.resolve("scan_mask.png")))
        .isEqualTo(Files.readAllBytes(on.resolve("scan_mask.png")));
    assertThat(sampling(replayed, "results.json")).isEqualTo(sampling(on, "results.json"));

    CliRun conflicting = CliRun.of("segment", "--settings-from", on.resolve("results.json").toString(),
        "--no-flip-average", "--cpu", "--out", tmp.resolve("c").toString(), image.toString());
    assertThat(conflicting.code()).isEqualTo(PgDiffSegCli.BAD_INPUT);
    assertThat(conflicting.err()).contains("leave out --no-flip-average");
  }

  @Test
  void bothFormsAtOnceAreABadUsage() {
    CliRun r = CliRun.of("segment", "--cpu", "--flip-average", "--no-flip-average", "--out",
        tmp.resolve("x").toString(), image.toString());
    assertThat(r.code()).isEqualTo(PgDiffSegCli.BAD_INPUT);
    assertThat(r.err()).contains("flip-average");
    assertThat(tmp.resolve("x")).doesNotExist();
  }

  @Test
  void evalTakesTheOptionAndRecordsIt() throws Exception {
    Path masks = Files.createDirectories(tmp.resolve("masks"));
    Path images = Files.createDirectories(tmp.resolve("images"));
    Files.copy(image, images.resolve("benign_1.png"));
    byte[] empty = Files.readAllBytes(RepositoryRoot.find().resolve("samples/images/benign_306.png"));
    Files.write(masks.resolve("benign_1.png"), empty);
    Path out = tmp.resolve("eval");
    CliRun.of("eval", "--model", TestBundles.tiny().toString(), "--cpu", "--steps", "2", "--flip-average",
        "--images", images.toString(), "--masks", masks.toString(), "--out", out.toString());
    assertThat(sampling(out, "eval.json").path("flip_average").asBoolean()).isTrue();
  }
}
