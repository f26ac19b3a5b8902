package org.pgdiffseg.zoo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.api.io.TempDir;
import org.pgdiffseg.sdk.BundleException;

/** A model card is read only from a regular file, never through a link, and at most 1 MiB of it. */
class SmallTextFileTest {
  static final Duration QUICKLY = Duration.ofSeconds(20);
  @TempDir Path tmp;

  @Test
  @EnabledOnOs(OS.LINUX)
  void aLinkToADeviceIsRefusedUnread() throws Exception {
    Path card = Files.createSymbolicLink(tmp.resolve("MODEL_CARD.md"), Path.of("/dev/zero"));
    assertTimeoutPreemptively(QUICKLY, () -> assertThatThrownBy(() -> SmallTextFile.read(card))
        .isInstanceOf(BundleException.class).hasMessageContaining(card + ": a symbolic link; not read"));
  }

  @Test
  @EnabledOnOs({OS.LINUX, OS.MAC})
  void aFifoIsRefusedWithoutBlocking() throws Exception {
    Path card = tmp.resolve("MODEL_CARD.md");
    assertThat(new ProcessBuilder("mkfifo", card.toString()).start().waitFor()).isZero();
    assertTimeoutPreemptively(QUICKLY, () -> assertThatThrownBy(() -> SmallTextFile.read(card))
        .isInstanceOf(BundleException.class).hasMessageContaining(card + ": not a regular file"));
  }

  @Test
  void aLargeFileIsCutAndSaysSo() throws Exception {
    Path card = Files.writeString(tmp.resolve("MODEL_CARD.md"), "a".repeat(SmallTextFile.MAX_BYTES + 10));
    String text = SmallTextFile.read(card);
    assertThat(text).startsWith("a".repeat(SmallTextFile.MAX_BYTES) + "\n[")
        .endsWith("is cut here: " + (SmallTextFile.MAX_BYTES + 10) + " bytes, only the first "
            + SmallTextFile.MAX_BYTES + " are shown]");
    assertThat(SmallTextFile.read(Files.writeString(tmp.resolve("small.md"), "# Card"))).isEqualTo("# Card");
  }

  @Test
  @EnabledOnOs(OS.LINUX)
  void theCardOfACachedEntryIsReadTheSameWay() throws Exception {
    ModelZoo zoo = new ModelZoo(tmp.resolve("cache"), ZooIndex.embedded());
    ZooEntry tiny = zoo.index().find(ModelZooTest.TINY).orElseThrow();
    Path entry = zoo.get(tiny.id()).root();
    Files.deleteIfExists(entry.resolve("MODEL_CARD.md"));
    Files.createSymbolicLink(entry.resolve("MODEL_CARD.md"), Path.of("/dev/zero"));
    assertTimeoutPreemptively(QUICKLY, () -> assertThatThrownBy(() -> zoo.readFile(tiny, "MODEL_CARD.md"))
        .isInstanceOf(BundleException.class).hasMessageContaining("MODEL_CARD.md is a symbolic link to /dev/zero"));
  }
}
