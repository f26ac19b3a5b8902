package org.pgdiffseg.zoo.fuzz;

import com.code_intelligence.jazzer.junit.FuzzTest;
import com.google.common.io.MoreFiles;
import com.google.common.io.RecursiveDeleteOption;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.pgdiffseg.sdk.PgDiffSegException;
import org.pgdiffseg.zoo.ModelZoo;
import org.pgdiffseg.zoo.ZooIndex;

/**
 * Fuzz target for {@code zoo pull}: any bytes as the pulled zip. Beyond a result or a BundleException, a finding
 * is anything written or deleted outside the cache (a sentinel folder beside it must stay as it was) and any
 * staging folder left in the cache. Replays its seed corpus in a normal test run; {@code JAZZER_FUZZ=1} fuzzes.
 */
class PullFuzzTest {
  @FuzzTest(maxDuration = "30s")
  void zooPull(byte[] zip) throws IOException {
    Path root = Files.createTempDirectory("fuzz-pull");
    try {
      Path cache = root.resolve("cache");
      Path sentinel = Files.createDirectories(root.resolve("victim"));
      Files.writeString(sentinel.resolve("keep.txt"), "keep");
      Path file = Files.write(root.resolve("pulled.zip"), zip);
      try {
        new ModelZoo(cache, ZooIndex.embedded()).pull(file.toUri(), null, false);
      } catch (PgDiffSegException expected) {
        // refused with a message
      }
      List<Path> outside;
      try (Stream<Path> all = Files.walk(root)) {
        outside = all.filter(p -> !p.startsWith(cache) && !p.equals(root) && !p.equals(file) && !p.startsWith(sentinel))
            .toList();
      }
      if (!outside.isEmpty() || !Files.readString(sentinel.resolve("keep.txt")).equals("keep")) {
        throw new IllegalStateException("pull touched files outside its cache: " + outside);
      }
      if (Files.isDirectory(cache.resolve("models"))) {
        try (Stream<Path> entries = Files.list(cache.resolve("models"))) {
          List<Path> staging = entries.filter(p -> p.getFileName().toString().startsWith("stage-")).toList();
          if (!staging.isEmpty()) {
            throw new IllegalStateException("pull left staging folders: " + staging);
          }
        }
      }
    } finally {
      try {
        MoreFiles.deleteRecursively(root, RecursiveDeleteOption.ALLOW_INSECURE);
      } catch (IOException cleanup) {
        // not a finding about pull
      }
    }
  }
}
