package org.pgdiffseg.spark;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class InputListingTest {
  @TempDir Path dir;

  @Test
  void fifosSocketsAndBrokenOrLoopingLinksAreEntriesWithAnError() throws Exception {
    Files.writeString(dir.resolve("a.png"), "image");
    Files.writeString(Files.createDirectories(dir.resolve("sub")).resolve("b.png"), "image");
    Files.writeString(Files.createDirectories(dir.resolve(".hidden")).resolve("c.png"), "image");
    Process mkfifo = new ProcessBuilder("mkfifo", dir.resolve("fifo.png").toString()).start();
    assertThat(mkfifo.waitFor()).isZero();
    try (ServerSocketChannel socket = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
      socket.bind(UnixDomainSocketAddress.of(dir.resolve("socket.png")));
      Files.createSymbolicLink(dir.resolve("self.png"), dir.resolve("self.png"));
      Files.createSymbolicLink(dir.resolve("gone.png"), dir.resolve("missing.png"));
      Files.createSymbolicLink(dir.resolve("sub/up"), dir);
      Files.createSymbolicLink(dir.resolve("linked.png"), dir.resolve("a.png"));

      Map<String, String> entries = byName(InputListing.list(dir));

      assertThat(entries).containsOnlyKeys("a.png", "sub/b.png", "fifo.png", "socket.png", "self.png", "gone.png",
          "sub/up", "linked.png");
      assertThat(entries.get("a.png")).isNull();
      assertThat(entries.get("sub/b.png")).isNull();
      assertThat(entries.get("linked.png")).isNull();
      assertThat(entries.get("fifo.png")).contains("fifo.png", "not a regular file");
      assertThat(entries.get("socket.png")).contains("socket.png", "not a regular file");
      assertThat(entries.get("self.png")).contains("self.png", "target is missing or loops");
      assertThat(entries.get("gone.png")).contains("gone.png", "target is missing or loops");
      assertThat(entries.get("sub/up")).contains("sub/up", "a loop");
    }
  }

  @Test
  void anUnreadableSubFolderIsOneEntryWithAnErrorAndTheRestIsListed() throws IOException {
    Files.writeString(dir.resolve("a.png"), "image");
    Path locked = Files.createDirectories(dir.resolve("locked"));
    Files.writeString(locked.resolve("b.png"), "image");
    Files.setPosixFilePermissions(locked, PosixFilePermissions.fromString("---------"));
    try {
      boolean unreadable;
      try (var list = Files.list(locked)) {
        unreadable = false;
      } catch (IOException e) {
        unreadable = true;
      }
      assumeTrue(unreadable, "the permissions do not stop this user (root) from listing the folder");

      Map<String, String> entries = byName(InputListing.list(dir));

      assertThat(entries).containsOnlyKeys("a.png", "locked");
      assertThat(entries.get("locked")).contains(locked.toString(), "cannot be listed",
          "nothing under it was segmented");
    } finally {
      Files.setPosixFilePermissions(locked, PosixFilePermissions.fromString("rwx------"));
    }
  }

  private Map<String, String> byName(List<InputListing.Entry> entries) {
    Map<String, String> byName = new HashMap<>();
    for (InputListing.Entry entry : entries) {
      String name = dir.relativize(Path.of(entry.path())).toString();
      assertThat(byName.containsKey(name)).as("one entry per path: " + name).isFalse();
      byName.put(name, entry.error());
    }
    return byName;
  }
}
