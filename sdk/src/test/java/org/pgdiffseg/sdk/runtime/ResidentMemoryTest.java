package org.pgdiffseg.sdk.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class ResidentMemoryTest {
  @Test
  void readsTheProcessResidentSizeOnLinux() {
    assumeTrue(Files.isReadable(Path.of("/proc/self/status")), "Linux only");
    long kib = ResidentMemory.kib().orElseThrow();
    // A JVM with the test classes loaded holds tens of MiB and far less than this machine's memory.
    assertThat(kib).isBetween(10L * 1024, Runtime.getRuntime().maxMemory() / 1024 + 8L * 1024 * 1024);
  }

  @Test
  void growsWhenTheProcessTouchesNewMemory() {
    assumeTrue(ResidentMemory.kib().isPresent(), "Linux only");
    long before = ResidentMemory.kib().orElseThrow();
    byte[] block = new byte[64 << 20];
    for (int i = 0; i < block.length; i += 4096) {
      block[i] = 1;   // touch every page so the kernel maps it
    }
    assertThat(ResidentMemory.kib().orElseThrow() - before).isGreaterThan(32L * 1024);
    assertThat(block[4096]).isEqualTo((byte) 1);
  }
}
