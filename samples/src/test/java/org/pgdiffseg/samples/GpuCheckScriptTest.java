package org.pgdiffseg.samples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pgdiffseg.sdk.runtime.OrtRuntime;

/** samples/gpu-check: bad usage and a machine without CUDA are exit 2 with one sentence, and nothing is left. */
class GpuCheckScriptTest {
  static final Path SCRIPT = RepositoryRoot.find().resolve("samples/gpu-check");
  @TempDir Path tmp;

  private record Run(int code, String out, String err) {}

  /** Runs the script with the CLI of this test's classpath in place of the launcher (which would build). */
  private Run run(String... args) throws Exception {
    Path argFile = tmp.resolve("cli.args");
    Files.writeString(argFile, "--enable-native-access=ALL-UNNAMED\n-cp\n\"" + System.getProperty("java.class.path")
        + "\"\n-Dpgdiffseg.cache=\"" + System.getProperty("pgdiffseg.cache", tmp.resolve("cache").toString())
        + "\"\n-Dorg.slf4j.simpleLogger.defaultLogLevel=warn\n", StandardCharsets.UTF_8);
    Path cli = tmp.resolve("pgdiffseg-cli");
    Files.writeString(cli, "#!/usr/bin/env bash\nexec \"" + Path.of(System.getProperty("java.home"), "bin", "java")
        + "\" @\"" + argFile + "\" " + PgDiffSegCli.class.getName() + " \"$@\"\n");
    Files.setPosixFilePermissions(cli, PosixFilePermissions.fromString("rwx------"));
    List<String> command = new java.util.ArrayList<>(List.of("bash", SCRIPT.toString()));
    command.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(command).directory(tmp.toFile())
        .redirectOutput(tmp.resolve("out.txt").toFile()).redirectError(tmp.resolve("err.txt").toFile());
    pb.environment().put("PGDIFFSEG_CLI", cli.toString());
    Process p = pb.start();
    assertThat(p.waitFor(120, TimeUnit.SECONDS)).as("gpu-check finished").isTrue();
    return new Run(p.exitValue(), Files.readString(tmp.resolve("out.txt")), Files.readString(tmp.resolve("err.txt")));
  }

  @Test
  void withoutCudaItRefusesWithTheClisSentence() throws Exception {
    Optional<String> why = OrtRuntime.shared().whyNoCuda();
    assumeTrue(why.isPresent(), "CUDA can run on this machine");
    Run r = run("--bundle", CliUsageTest.TINY, "--out", "check");
    assertThat(r.code()).as(r.err()).isEqualTo(2);
    assertThat(r.err()).isEqualTo("pgdiffseg: device cuda was asked for, but " + why.get() + "\n");
    assertThat(r.out()).isEmpty();
    assertThat(tmp.resolve("check")).doesNotExist();
  }

  @Test
  void badUsageIsExitTwoWithOneSentence() throws Exception {
    Run runs = run("--runs", "0");
    assertThat(runs.code()).isEqualTo(2);
    assertThat(runs.err()).isEqualTo("gpu-check: --runs must be a whole number from 1 to 9999, got '0'\n");
    Run unknown = run("--device", "cuda");
    assertThat(unknown.code()).isEqualTo(2);
    assertThat(unknown.err())
        .isEqualTo("gpu-check: unknown argument '--device'; run 'samples/gpu-check --help' for its options\n");
    Files.createDirectories(tmp.resolve("taken"));
    Run taken = run("--out", "taken");
    assertThat(taken.code()).isEqualTo(2);
    assertThat(taken.err()).isEqualTo("gpu-check: --out taken already exists; name a new folder\n");
  }
}
