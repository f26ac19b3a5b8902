package org.pgdiffseg.samples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pgdiffseg.sdk.bundle.TestBundles;
import org.pgdiffseg.sdk.imaging.ImageDecoder;

/**
 * A disk that fills up mid-batch: the batch stops with one line, no output is left truncated, and results.json
 * lists exactly the outputs that landed. The output folder is a small tmpfs mounted in a mount namespace of the
 * child's own ({@code unshare -m}, as root), so nothing else on the machine fills up.
 */
class FullDiskTest {
  @TempDir Path tmp;

  static boolean canMountTmpfs(Path probe) throws Exception {
    if (!Files.isExecutable(Path.of("/usr/bin/unshare"))) {
      return false;
    }
    Process p = new ProcessBuilder("/usr/bin/unshare", "-m", "sh", "-c",
        "mount -t tmpfs -o size=64k tmpfs '" + probe + "'").redirectErrorStream(true).start();
    return p.waitFor(20, TimeUnit.SECONDS) && p.exitValue() == 0;
  }

  @Test
  void aDiskThatFillsMidBatchStopsItWithOneLineAndLeavesWholeFilesAllRecorded() throws Exception {
    Path probe = Files.createDirectories(tmp.resolve("probe"));
    assumeTrue(canMountTmpfs(probe), "needs unshare -m and mount (root)");
    Path in = Files.createDirectories(tmp.resolve("in"));
    byte[] image = Files.readAllBytes(RepositoryRoot.find().resolve("samples/images/benign_306.png"));
    for (int i = 0; i < 12; i++) {
      Files.write(in.resolve(String.format("scan_%02d.png", i)), image);
    }
    Path out = Files.createDirectories(tmp.resolve("out"));
    Path saved = Files.createDirectories(tmp.resolve("saved"));
    Path log = tmp.resolve("log.txt");
    List<String> command = new ArrayList<>(ChildCli.command(Map.of(), log, "segment", "--model",
        TestBundles.tiny().toString(), "--steps", "2", "--cpu", "--out", out.toString(), in.toString()).command());
    String cli = String.join(" ", command.stream().map(a -> "'" + a.replace("'", "'\\''") + "'").toList());
    // room for a few images' outputs, not twelve; what was in the folder is copied out before the mount goes
    String script = "mount -t tmpfs -o size=400k tmpfs '" + out + "' && { " + cli + " > '" + log + "' 2>&1; "
        + "echo $? > '" + saved + "/.rc'; cp -a '" + out + "'/. '" + saved + "'/; }";
    Process p = new ProcessBuilder("/usr/bin/unshare", "-m", "sh", "-c", script).inheritIO().start();
    assertThat(p.waitFor(300, TimeUnit.SECONDS)).isTrue();
    String printed = Files.readString(log, StandardCharsets.UTF_8);
    assertThat(Files.readString(saved.resolve(".rc")).trim()).as(printed).isEqualTo("1");
    assertThat(printed.lines().filter(l -> l.startsWith("pgdiffseg: stopped: "))).as(printed).hasSize(1);
    assertThat(printed).as("one clear line, no stack trace").doesNotContain("\tat ").doesNotContain("Exception in");
    assertThat(printed).contains("No space left on device");

    JsonNode record = new ObjectMapper().readTree(saved.resolve("results.json").toFile());
    assertThat(record.path("status").asText()).isEqualTo("stopped");
    Set<String> recorded = new HashSet<>();
    for (JsonNode row : record.path("results")) {
      recorded.add(Path.of(row.path("mask").asText()).getFileName().toString());
      recorded.add(Path.of(row.path("overlay").asText()).getFileName().toString());
    }
    assertThat(recorded).as("some images landed before the disk filled").isNotEmpty();
    Set<String> present = new HashSet<>();
    ImageDecoder decoder = new ImageDecoder();
    try (var files = Files.list(saved)) {
      for (Path f : files.toList()) {
        String name = f.getFileName().toString();
        assertThat(name).as("no temporary file is left").doesNotEndWith(".tmp");
        if (name.endsWith(".png")) {
          present.add(name);
          decoder.decode(f);   // whole: a truncated PNG is refused here
        }
      }
    }
    assertThat(present).as("every output in the folder is in the record, and every recorded one is there")
        .isEqualTo(recorded);
  }
}
