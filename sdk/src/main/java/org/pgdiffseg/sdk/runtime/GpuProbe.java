package org.pgdiffseg.sdk.runtime;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.SymbolLookup;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * Tells, cheaply, whether asking ONNX Runtime for CUDA can succeed. Needed because
 * {@code OrtEnvironment.getAvailableProviders()} lists CUDA on any machine (it reports what was compiled
 * in), and a CUDA request without a GPU costs seconds before it fails.
 */
@FunctionalInterface
interface GpuProbe {
  /** Why there is no usable NVIDIA GPU, or empty when there is one. */
  Optional<String> whyNoGpu();

  /** Looks at the NVIDIA driver's files and tries to load its user-space library. */
  static GpuProbe system() {
    return () -> {
      if (!Files.exists(Path.of("/dev/nvidia0")) && !hasEntries(Path.of("/proc/driver/nvidia/gpus"))) {
        return Optional.of("no NVIDIA GPU found (no /dev/nvidia0, no /proc/driver/nvidia/gpus entries)");
      }
      try (Arena arena = Arena.ofConfined()) {
        SymbolLookup.libraryLookup("libcuda.so.1", arena);
        return Optional.empty();
      } catch (IllegalArgumentException e) {
        return Optional.of("NVIDIA driver library libcuda.so.1 cannot be loaded");
      }
    };
  }

  private static boolean hasEntries(Path dir) {
    if (!Files.isDirectory(dir)) {
      return false;
    }
    try (Stream<Path> entries = Files.list(dir)) {
      return entries.findAny().isPresent();
    } catch (IOException e) {
      return false;
    }
  }
}
