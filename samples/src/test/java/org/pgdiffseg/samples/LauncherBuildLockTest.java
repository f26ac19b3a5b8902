package org.pgdiffseg.samples;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two launches at once on a fresh checkout build it once: the second waits for the first one's build (two Maven
 * runs in one tree made one of them fail). Maven is replaced by a script that notes overlapping runs, so the
 * test runs the launchers' real shell code in seconds.
 */
class LauncherBuildLockTest {
  @TempDir Path tmp;

  @Test
  void concurrentLaunchesOfBothLaunchersBuildOneAtATimeAndOnlyWhenStale() throws Exception {
    Path root = checkout();
    Path log = root.resolve("builds.log");
    List<Process> launches = new ArrayList<>();
    for (String launcher : List.of("pgdiffseg", "pgdiffseg", "pgdiffseg-spark")) {
      launches.add(launch(root, launcher, launches.size()));
    }
    for (Process p : launches) {
      assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    }
    List<String> lines = Files.readAllLines(log);
    assertThat(lines).doesNotContain("overlap");
    // one build of samples (the second launch finds it fresh once it gets the lock) and one of spark
    assertThat(lines).containsExactly("start", "end", "start", "end");
    assertThat(root.resolve("samples/target/.built")).exists();
    assertThat(root.resolve("spark/target/.built")).exists();
  }

  @Test
  void whatABuildWritesIntoATargetFolderDoesNotMakeTheOtherLauncherRebuild() throws Exception {
    Path root = checkout();
    Path source = Files.createDirectories(root.resolve("sdk/src")).resolve("A.java");
    Files.writeString(source, "class A {}");
    Path sdkTarget = Files.createDirectories(root.resolve("sdk/target"));   // as after an earlier build
    for (Path p : List.of(source, source.getParent(), sdkTarget, root.resolve("sdk"))) {
      Files.setLastModifiedTime(p, java.nio.file.attribute.FileTime.fromMillis(System.currentTimeMillis() - 60_000));
    }
    assertThat(launch(root, "pgdiffseg", 0).waitFor(60, TimeUnit.SECONDS)).isTrue();
    Files.writeString(sdkTarget.resolve("classes.jar"), "built");   // the other launcher's build writes here
    assertThat(launch(root, "pgdiffseg", 1).waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(Files.readAllLines(root.resolve("builds.log"))).containsExactly("start", "end");
    Files.setLastModifiedTime(source, java.nio.file.attribute.FileTime.fromMillis(System.currentTimeMillis() + 5_000));
    assertThat(launch(root, "pgdiffseg", 2).waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(Files.readAllLines(root.resolve("builds.log"))).containsExactly("start", "end", "start", "end");
  }

  /** A checkout holding only the launchers, with Maven replaced by a script that notes each build. */
  private Path checkout() throws Exception {
    Path repo = RepositoryRoot.find();
    Path root = tmp.resolve("checkout");
    Path samples = Files.createDirectories(root.resolve("samples"));
    for (String script : List.of("pgdiffseg", "pgdiffseg-spark", "find-jdk.sh", "build-once.sh",
        "aot-cache.sh")) {
      Files.copy(repo.resolve("samples").resolve(script), samples.resolve(script));
    }
    Files.writeString(root.resolve("pom.xml"), "<project/>");
    Files.setLastModifiedTime(root.resolve("pom.xml"),
        java.nio.file.attribute.FileTime.fromMillis(System.currentTimeMillis() - 60_000));
    Path bin = Files.createDirectories(tmp.resolve("bin"));
    Path log = root.resolve("builds.log");
    // A build: notes its start, fails loudly if another build is running, takes a while, notes its end.
    Files.writeString(bin.resolve("mvn"), """
        #!/usr/bin/env bash
        log="%s"
        if [ -e "$log.running" ]; then echo overlap >> "$log"; fi
        touch "$log.running"; echo start >> "$log"; sleep 2; rm -f "$log.running"; echo end >> "$log"
        """.formatted(log));
    Files.setPosixFilePermissions(bin.resolve("mvn"), PosixFilePermissions.fromString("rwxr-xr-x"));
    return root;
  }

  private Process launch(Path root, String launcher, int n) throws Exception {
    ProcessBuilder pb = new ProcessBuilder("bash", root.resolve("samples").resolve(launcher).toString(), "--version")
        .redirectErrorStream(true).redirectOutput(tmp.resolve(launcher + n + ".out").toFile());
    pb.environment().put("PATH", tmp.resolve("bin") + ":" + System.getenv("PATH"));
    pb.environment().put("JAVA_HOME", System.getProperty("java.home"));
    pb.environment().put("PGDIFFSEG_AOT", "off");   // no start-up cache: these builds make no jar to train on
    return pb.start();
  }
}
