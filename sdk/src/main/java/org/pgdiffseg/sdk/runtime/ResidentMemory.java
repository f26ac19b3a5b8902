package org.pgdiffseg.sdk.runtime;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.OptionalLong;

/**
 * The resident set size of this process (VmRSS in /proc/self/status, Linux), which counts ONNX Runtime's
 * native arenas that the Java heap figures do not: what to watch for native leaks in a long-running host.
 */
public final class ResidentMemory {
  private static final Path STATUS = Path.of("/proc/self/status");

  private ResidentMemory() {}

  /** VmRSS in KiB; empty where /proc/self/status is missing or has no VmRSS line (not Linux). */
  public static OptionalLong kib() {
    try {
      for (String line : Files.readAllLines(STATUS)) {
        if (line.startsWith("VmRSS:")) {
          return OptionalLong.of(Long.parseLong(line.replaceAll("[^0-9]", "")));
        }
      }
    } catch (IOException | NumberFormatException e) {
      return OptionalLong.empty();
    }
    return OptionalLong.empty();
  }
}
