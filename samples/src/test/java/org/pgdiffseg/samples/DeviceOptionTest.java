package org.pgdiffseg.samples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pgdiffseg.sdk.runtime.OrtRuntime;

/** --device cpu|cuda|auto and --cpu: where CUDA cannot run, --device cuda stops with one sentence and exit 2. */
class DeviceOptionTest {
  static final String TINY = CliUsageTest.TINY;
  static final String IMAGE = CliUsageTest.IMAGE;
  @TempDir Path tmp;

  /** Why CUDA cannot run on this machine; the tests that need a machine without CUDA skip elsewhere. */
  private static String whyNoCuda() {
    Optional<String> why = OrtRuntime.shared().whyNoCuda();
    assumeTrue(why.isPresent(), "CUDA can run on this machine");
    return why.get();
  }

  @Test
  void cudaWithoutCudaExitsTwoWithOneSentenceForEveryCommandThatRunsTheGraphs() {
    String sentence = "pgdiffseg: device cuda was asked for, but " + whyNoCuda();
    String out = tmp.resolve("o").toString();
    String[][] commands = {
        {"segment", "--model", TINY, "--device", "cuda", "--out", out, IMAGE},
        {"trajectory", "--model", TINY, "--device", "cuda", "--out", out, IMAGE},
        {"bench", "--model", TINY, "--device", "CUDA", "--runs", "1", "--warmup", "0", IMAGE},
        {"conformance", "--bundle", TINY, "--device", "cuda"},
        {"segment", "--settings-from", tmp.resolve("absent.json").toString(), "--device", "cuda", "--out", out,
            IMAGE}};
    for (String[] args : commands) {
      CliRun r = CliRun.of(args);
      assertThat(r.code()).as(String.join(" ", args)).isEqualTo(PgDiffSegCli.BAD_INPUT);
      if (!args[1].equals("--settings-from")) {   // a missing record is named first; the device check follows it
        assertThat(r.err()).as(args[0]).isEqualTo(sentence + System.lineSeparator());
      }
    }
    assertThat(sentence).contains("CUDA cannot run here: ");
    assertThat(tmp.resolve("o/results.json")).doesNotExist();
  }

  @Test
  void cpuAndAnotherDeviceConflict() {
    CliRun r = CliRun.of("segment", "--model", TINY, "--cpu", "--device", "cuda", "--out", tmp.resolve("o").toString(),
        IMAGE);
    assertThat(r.code()).isEqualTo(PgDiffSegCli.BAD_INPUT);
    assertThat(r.err()).isEqualTo("pgdiffseg: --cpu and --device cuda conflict (--cpu means --device cpu); give one"
        + " of them" + System.lineSeparator());
    CliRun conformance = CliRun.of("conformance", "--bundle", TINY, "--cpu", "--device", "auto");
    assertThat(conformance.code()).isEqualTo(PgDiffSegCli.BAD_INPUT);
    assertThat(conformance.err()).contains("--cpu and --device auto conflict");
    assertThat(tmp.resolve("o/results.json")).doesNotExist();
  }

  @Test
  void unknownDeviceIsRefusedNamingTheChoices() {
    CliRun r = CliRun.of("segment", "--model", TINY, "--device", "gpu", "--out", tmp.resolve("o").toString(), IMAGE);
    assertThat(r.code()).isEqualTo(PgDiffSegCli.BAD_INPUT);
    assertThat(r.err()).contains("--device").contains("must be cpu, cuda or auto, got 'gpu'");
  }

  @Test
  void resultsSayWhereTheGraphsRanAndWhy() throws Exception {
    String why = whyNoCuda();
    for (String[] device : new String[][] {{"--device", "cpu"}, {"--cpu", "--device", "cpu"}, {"--cpu"}}) {
      Path out = tmp.resolve("cpu" + device.length);
      CliRun r = CliRun.of(concat(new String[] {"segment", "--model", TINY, "--steps", "2", "--out", out.toString()},
          device, IMAGE));
      assertThat(r.code()).as(r.err()).isZero();
      JsonNode runtime = ReplayTest.record(out).path("runtime");
      assertThat(runtime.path("device").asText()).isEqualTo("CPU");
      assertThat(runtime.path("device_reason").asText()).isEqualTo("device cpu was asked for");
    }
    Path auto = tmp.resolve("auto");
    CliRun r = CliRun.of("segment", "--model", TINY, "--steps", "2", "--device", "auto", "--out", auto.toString(),
        IMAGE);
    assertThat(r.code()).as(r.err()).isZero();
    JsonNode runtime = ReplayTest.record(auto).path("runtime");
    assertThat(runtime.path("execution_provider").asText()).isEqualTo("CPUExecutionProvider");
    assertThat(runtime.path("device_reason").asText()).isEqualTo("device auto: " + why);
  }

  private static String[] concat(String[] head, String[] middle, String last) {
    String[] all = new String[head.length + middle.length + 1];
    System.arraycopy(head, 0, all, 0, head.length);
    System.arraycopy(middle, 0, all, head.length, middle.length);
    all[all.length - 1] = last;
    return all;
  }
}
