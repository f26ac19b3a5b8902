package org.pgdiffseg.samples;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.pgdiffseg.sdk.SdkVersion;
import org.pgdiffseg.sdk.bundle.TestBundles;
import org.pgdiffseg.sdk.schedule.SchedulerSpec;

/** A results.json is an audit record: replaying it with the same SDK gives the same masks, bit for bit. */
class ReplayTest {
  static Path tiny;
  static Path image;
  @TempDir static Path shared;
  @TempDir Path tmp;

  @BeforeAll
  static void load() throws Exception {
    tiny = TestBundles.tiny();
    image = Files.copy(RepositoryRoot.find().resolve("samples/images/benign_306.png"), shared.resolve("scan.png"));
  }

  static JsonNode record(Path out) throws Exception {
    return new ObjectMapper().readTree(out.resolve("results.json").toFile());
  }

  static CliRun run(String... args) {
    return CliRun.of(args);
  }

  /** Replays {@code first}'s results.json on the same image into a new folder; the mask is the same, byte for byte. */
  Path replayedWithTheSameMask(Path first) throws Exception {
    Path second = tmp.resolve("second");
    CliRun replay = run("segment", "--settings-from", first.resolve("results.json").toString(), "--cpu", "--out",
        second.toString(), image.toString());
    assertThat(replay.code()).as(replay.err()).isZero();
    assertThat(Files.readAllBytes(second.resolve("scan_mask.png")))
        .isEqualTo(Files.readAllBytes(first.resolve("scan_mask.png")));
    return second;
  }

  static List<String> schedulers() {
    return SchedulerSpec.NAMES;
  }

  @ParameterizedTest
  @MethodSource("schedulers")
  void aReplayedRecordGivesTheSameMaskForEveryScheduler(String scheduler) throws Exception {
    Path first = tmp.resolve("first");
    CliRun r = run("segment", "--model", tiny.toString(), "--cpu", "--scheduler", scheduler, "--steps", "3", "--seed",
        "7", "--ensemble", "2", "--initial-sample", "noise", "--threshold", "0.4", "--fill-holes", "--out",
        first.toString(), image.toString());
    assertThat(r.code()).as(r.err()).isZero();
    JsonNode rec = record(first);
    assertThat(rec.path("sampling").path("scheduler").asText()).isEqualTo(scheduler);
    assertThat(rec.path("sampling").path("scheduler_config").path("_class_name").asText()).endsWith("Scheduler");
    assertThat(rec.path("model").path("sha256").asText()).hasSize(64);
    assertThat(rec.path("sdk").path("version").asText()).isEqualTo(SdkVersion.get());
    assertThat(rec.path("runtime").path("execution_provider").asText()).isEqualTo("CPUExecutionProvider");

    Path second = replayedWithTheSameMask(first);
    assertThat(record(second).path("sampling")).isEqualTo(rec.path("sampling"));
    assertThat(record(second).path("gate")).isEqualTo(rec.path("gate"));
  }

  @Test
  void theDefaultModelsRecordNamesTheSamplerThatRanAndReplaysIt() throws Exception {
    Path first = tmp.resolve("first");
    CliRun r = run("segment", "--cpu", "--out", first.toString(), image.toString());
    assertThat(r.code()).as(r.err()).isZero();
    JsonNode sampling = record(first).path("sampling");
    // the bundle's scheduler_config.json is DDIM with trailing spacing: the record says so, in both forms
    assertThat(sampling.path("scheduler").asText()).isEqualTo("ddim-trailing");
    assertThat(sampling.path("scheduler_config").path("timestep_spacing").asText()).isEqualTo("trailing");
    assertThat(sampling.path("initial_sample").asText()).isEqualTo("zeros");
    replayedWithTheSameMask(first);
    // plain ddim (leading spacing) is another sampler and another mask: the name alone was not a record
    Path plain = tmp.resolve("plain");
    assertThat(run("segment", "--cpu", "--scheduler", "ddim", "--out", plain.toString(), image.toString()).code())
        .isZero();
    assertThat(Files.readAllBytes(plain.resolve("scan_mask.png")))
        .isNotEqualTo(Files.readAllBytes(first.resolve("scan_mask.png")));
  }

  @Test
  void aReplayIsRefusedOnOtherWeightsWithOtherSamplingOptionsOrFromAFileThatIsNoRecord() throws Exception {
    Path first = tmp.resolve("first");
    assertThat(run("segment", "--model", tiny.toString(), "--cpu", "--steps", "2", "--out", first.toString(),
        image.toString()).code()).isZero();
    String recordFile = first.resolve("results.json").toString();

    CliRun otherModel = run("segment", "--settings-from", recordFile, "--model", "pgdiffseg-busi-128", "--cpu",
        "--out", tmp.resolve("a").toString(), image.toString());
    assertThat(otherModel.code()).isEqualTo(PgDiffSegCli.BAD_INPUT);
    assertThat(otherModel.err()).contains("the record was made with pgdiffseg-tiny-test")
        .contains(record(first).path("model").path("sha256").asText());

    CliRun conflicting = run("segment", "--settings-from", recordFile, "--steps", "5", "--seed", "3", "--cpu",
        "--out", tmp.resolve("b").toString(), image.toString());
    assertThat(conflicting.code()).isEqualTo(PgDiffSegCli.BAD_INPUT);
    assertThat(conflicting.err()).contains("leave out --steps, --seed");

    List<String> notRecords = new ArrayList<>(List.of("{}", "not json", "{\"model\": {\"id\": 3}}"));
    for (String text : notRecords) {
      Path bad = Files.writeString(tmp.resolve("bad.json"), text);
      CliRun r = run("segment", "--settings-from", bad.toString(), "--cpu", "--out", tmp.resolve("c").toString(),
          image.toString());
      assertThat(r.code()).as(text).isEqualTo(PgDiffSegCli.BAD_INPUT);
      assertThat(r.err()).as(text).contains("--settings-from " + bad);
    }
  }

  @Test
  void evalJsonIsARecordToo() throws Exception {
    Path masks = Files.createDirectories(tmp.resolve("masks"));
    Path images = Files.createDirectories(tmp.resolve("images"));
    Files.copy(image, images.resolve("benign_1.png"));
    Files.copy(RepositoryRoot.find().resolve("samples/images/benign_306.png"), masks.resolve("benign_1.png"));
    Path evalOut = tmp.resolve("eval");
    run("eval", "--model", tiny.toString(), "--cpu", "--steps", "2", "--images", images.toString(), "--masks",
        masks.toString(), "--out", evalOut.toString());   // the mask is not binary: a failure, but eval.json is written
    JsonNode eval = new ObjectMapper().readTree(evalOut.resolve("eval.json").toFile());
    assertThat(eval.path("sampling").path("steps").asInt()).isEqualTo(2);
    Path out = tmp.resolve("replayed");
    CliRun replay = run("segment", "--settings-from", evalOut.resolve("eval.json").toString(), "--cpu", "--out",
        out.toString(), image.toString());
    assertThat(replay.code()).as(replay.err()).isZero();
    assertThat(record(out).path("sampling")).isEqualTo(eval.path("sampling"));
  }
}
