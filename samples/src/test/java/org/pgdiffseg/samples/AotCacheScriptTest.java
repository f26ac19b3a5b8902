package org.pgdiffseg.samples;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The launchers' start-up cache (samples/aot-cache.sh): made once per build by a training run, used after that,
 * made again after a rebuild, and never in the way: a training that fails leaves the launch running without a
 * cache (and is not retried until the next build), and PGDIFFSEG_AOT=off skips it. The JVM is replaced by a
 * script that notes each training run and writes a cache file or fails, so the test runs the real shell code in
 * seconds.
 */
class AotCacheScriptTest {
  @TempDir Path tmp;
  private Path target;
  private Path trainings;

  @BeforeEach
  void setUp() throws Exception {
    target = Files.createDirectories(tmp.resolve("target"));
    Files.writeString(target.resolve(".built"), "");
    Files.setLastModifiedTime(target.resolve(".built"), FileTime.fromMillis(System.currentTimeMillis() - 60_000));
    trainings = tmp.resolve("trainings.log");
    Path bin = Files.createDirectories(tmp.resolve("jdk/bin"));
    // A training run: notes its arguments (the sample images' folder and the output folder it was given), then
    // writes the cache unless told to fail.
    Files.writeString(bin.resolve("java"), """
        #!/usr/bin/env bash
        for a in "$@"; do
          case "$a" in -XX:AOTCacheOutput=*) out="${a#-XX:AOTCacheOutput=}" ;; esac
        done
        echo "train $(ls "${@: -3:1}" | wc -l) ${@: -1}" >> "%s"
        [ -z "${FAIL_TRAINING:-}" ] || { echo "training broke" >&2; exit 3; }
        echo cache > "$out"
        """.formatted(trainings));
    Files.setPosixFilePermissions(bin.resolve("java"), PosixFilePermissions.fromString("rwxr-xr-x"));
  }

  @Test
  void theCacheIsMadeOnceAndUsedUntilTheNextBuild() throws Exception {
    String first = launch(null);
    assertThat(first).startsWith("-XX:AOTCache=" + target.resolve("aot")).contains(".aot");
    List<String> runs = Files.readAllLines(trainings);
    // the training saw the three sample images ten times over and an output folder of its own under target/aot
    assertThat(runs).hasSize(1);
    assertThat(runs.get(0)).startsWith("train 30 " + target.resolve("aot").resolve("train."));
    assertThat(launch(null)).isEqualTo(first);
    assertThat(Files.readAllLines(trainings)).hasSize(1);
    try (var left = Files.list(target.resolve("aot"))) {   // the training's folder is gone, the cache stays
      assertThat(left.map(p -> p.getFileName().toString()))
          .allMatch(name -> name.endsWith(".aot") || name.equals(".lock"));
    }

    rebuild();
    assertThat(launch(null)).isEqualTo(first);   // trained again, into the same name
    assertThat(Files.readAllLines(trainings)).hasSize(2);
  }

  @Test
  void aTrainingThatFailsLeavesTheLaunchWithoutACacheAndIsNotRetriedUntilTheNextBuild() throws Exception {
    assertThat(launch("1")).isEmpty();
    assertThat(launch("1")).isEmpty();
    assertThat(Files.readAllLines(trainings)).hasSize(1);
    try (var left = Files.list(target.resolve("aot"))) {
      Path failed = left.filter(p -> p.toString().endsWith(".aot.failed")).findFirst().orElseThrow();
      assertThat(Files.readString(failed)).contains("training broke");   // the training's own log, kept
    }
    rebuild();
    assertThat(launch(null)).startsWith("-XX:AOTCache=");
    assertThat(Files.readAllLines(trainings)).hasSize(2);
  }

  @Test
  void offSkipsItEntirely() throws Exception {
    ProcessBuilder pb = harness(null);
    pb.environment().put("PGDIFFSEG_AOT", "off");
    assertThat(run(pb)).isEmpty();
    assertThat(trainings).doesNotExist();
    assertThat(target.resolve("aot")).doesNotExist();
  }

  /** A build after the cache was made: what the cache folder holds is now older than the build's stamp. */
  private void rebuild() throws Exception {
    try (var made = Files.list(target.resolve("aot"))) {
      for (Path p : made.toList()) {
        Files.setLastModifiedTime(p, FileTime.fromMillis(System.currentTimeMillis() - 120_000));
      }
    }
  }

  /** The flags aot_cache chose, one line, with the JVM failing its training when {@code fail} is set. */
  private String launch(String fail) throws Exception {
    return run(harness(fail));
  }

  private ProcessBuilder harness(String fail) {
    Path script = RepositoryRoot.find().resolve("samples/aot-cache.sh");
    ProcessBuilder pb = new ProcessBuilder("bash", "-c", "set -euo pipefail; source \"$0\"; aot_cache \"$1\""
        + " --some-jvm-flag Main --input @IN@ --output @OUT@; echo \"${AOT_FLAGS[*]+${AOT_FLAGS[*]}}\"",
        script.toString(), target.toString()).redirectErrorStream(false);
    pb.environment().put("JAVA_HOME", tmp.resolve("jdk").toString());
    pb.environment().remove("PGDIFFSEG_AOT");
    if (fail != null) {
      pb.environment().put("FAIL_TRAINING", fail);
    }
    return pb;
  }

  private static String run(ProcessBuilder pb) throws Exception {
    Process p = pb.start();
    String out = new String(p.getInputStream().readAllBytes()).trim();
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).as(new String(p.getErrorStream().readAllBytes())).isZero();
    return out;
  }
}
