package org.pgdiffseg.zoo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pgdiffseg.sdk.BundleException;
import org.pgdiffseg.sdk.bundle.ModelBundle;

/**
 * A cache entry reached through a symbolic link, or put there by hand: verify reports and never repairs, resolve
 * refuses, and nothing outside the cache is deleted, replaced or locked.
 */
class LinkedCacheTest {
  static final String TINY = ModelZooTest.TINY;
  @TempDir Path root;
  Path cache;
  Path outside;
  ModelZoo zoo;

  @BeforeEach
  void zooWithATamperedBundleOutsideTheCache() throws Exception {
    cache = root.resolve("cache");
    zoo = new ModelZoo(cache, ZooIndex.embedded());
    outside = Files.createDirectories(root.resolve("elsewhere"));
    ModelZoo.copyEmbedded(TINY, outside.resolve("1.0.0"));
    Files.writeString(outside.resolve("1.0.0/prior.onnx"), "someone else's file");
    Files.writeString(outside.resolve("precious.txt"), "keep me");
  }

  /** Every file below {@code folder} with its content, to compare before and after. */
  static List<String> snapshot(Path folder) throws Exception {
    try (Stream<Path> all = Files.walk(folder)) {
      return all.sorted().map(p -> {
        try {
          return folder.relativize(p) + (Files.isRegularFile(p) ? "=" + Arrays.hashCode(Files.readAllBytes(p)) : "/");
        } catch (java.io.IOException e) {
          throw new java.io.UncheckedIOException(e);
        }
      }).toList();
    }
  }

  @Test
  void anIdFolderThatIsALinkIsRefusedAndNothingOutsideIsTouched() throws Exception {
    Path link = Files.createSymbolicLink(Files.createDirectories(cache.resolve("models")).resolve(TINY), outside);
    List<String> before = snapshot(outside);
    assertThatThrownBy(() -> zoo.get(TINY)).isInstanceOf(BundleException.class)
        .hasMessageContaining(link + " is a symbolic link to " + outside);
    Verification found = zoo.verify(TINY);
    assertThat(found.outcome()).isEqualTo(Verification.Outcome.LINKED);
    assertThat(found.detail()).contains(link.toString()).contains(outside.toString());
    assertThat(snapshot(outside)).isEqualTo(before);   // no file deleted, replaced, and no lock written there
  }

  @Test
  void anEntryThatIsALinkIsRefused() throws Exception {
    Path link = Files.createSymbolicLink(
        Files.createDirectories(cache.resolve("models").resolve(TINY)).resolve("1.0.0"), outside.resolve("1.0.0"));
    List<String> before = snapshot(outside);
    assertThatThrownBy(() -> zoo.get(TINY)).isInstanceOf(BundleException.class)
        .hasMessageContaining(link + " is a symbolic link to " + outside.resolve("1.0.0"));
    assertThat(zoo.verify(TINY).outcome()).isEqualTo(Verification.Outcome.LINKED);
    assertThat(snapshot(outside)).isEqualTo(before);
  }

  @Test
  void verifyReportsWhichFileDiffersAndRepairsNothing() throws Exception {
    Path entry = zoo.get(TINY).root();
    Files.writeString(entry.resolve("prior.onnx"), "tampered");
    Verification found = zoo.verify(TINY);
    assertThat(found.outcome()).isEqualTo(Verification.Outcome.FAILED);
    assertThat(found.detail()).contains("Checksum error").contains("prior.onnx");
    assertThat(entry.resolve("prior.onnx")).hasContent("tampered");
  }

  @Test
  void verifyReportsAMissingEntryAndInstallsNothing() throws Exception {
    Verification found = zoo.verify(TINY);
    assertThat(found.outcome()).isEqualTo(Verification.Outcome.MISSING);
    assertThat(found.detail()).contains(zoo.cacheEntry(TINY, "1.0.0").toString());
    assertThat(zoo.cacheEntry(TINY, "1.0.0")).doesNotExist();
  }

  @Test
  void verifyReportsAGoodEntryAsOk() throws Exception {
    zoo.get(TINY);
    Verification found = zoo.verify(TINY);
    assertThat(found.ok()).as(found.detail()).isTrue();
    assertThat(found.detail()).contains("manifest valid");
  }

  @Test
  void aFolderTheZooDidNotInstallIsNeverReplaced() throws Exception {
    Path entry = Files.createDirectories(zoo.cacheEntry(TINY, "1.0.0"));
    Files.writeString(entry.resolve("notes.txt"), "put here by hand");
    assertThatThrownBy(() -> zoo.get(TINY)).isInstanceOf(BundleException.class)
        .hasMessageContaining("cannot replace " + entry).hasMessageContaining("did not install it");
    assertThat(entry.resolve("notes.txt")).hasContent("put here by hand");
  }

  @Test
  void anEntryOfAnEarlierZooWithoutTheMarkerIsMovedAsideNotDeleted() throws Exception {
    Path entry = zoo.cacheEntry(TINY, "1.0.0");
    ModelZoo.copyEmbedded(TINY, entry);   // as zoos before the marker installed it
    Files.writeString(entry.resolve("prior.onnx"), "changed since");
    ModelBundle installed = zoo.get(TINY);
    assertThat(installed.root().resolve(ModelZoo.INSTALLED_MARKER)).isRegularFile();
    try (var siblings = Files.list(entry.getParent())) {
      Path aside = siblings.filter(p -> p.getFileName().toString().startsWith("1.0.0.set-aside-")).findFirst()
          .orElseThrow();
      assertThat(aside.resolve("prior.onnx")).hasContent("changed since");
    }
  }

  @Test
  void anEntryTheZooInstalledIsReplacedWhenItNoLongerVerifies() throws Exception {
    ModelBundle first = zoo.get(TINY);
    assertThat(first.root().resolve(ModelZoo.INSTALLED_MARKER)).isRegularFile();
    Files.writeString(first.root().resolve("prior.onnx"), "tampered");
    assertThat(zoo.get(TINY).root().resolve("prior.onnx")).content().isNotEqualTo("tampered");
    assertThat(zoo.verify(TINY).ok()).isTrue();
  }
}
