package org.pgdiffseg.sdk.runtime;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What ONNX Runtime 1.29's CUDA provider needs, and the one sentence saying what of it a machine lacks. The list
 * was read from the provider library in the {@code onnxruntime_gpu} 1.29.0 jar: it links against CUDA 12's
 * runtime, cuBLAS, cuBLASLt and cuRAND and the driver's {@code libcuda.so.1}, and opens cuDNN 9 when a session
 * first needs it (every convolution does); cuFFT is opened only for FFT operators, which these graphs lack.
 */
final class CudaRequirements {
  /** The provider library the CUDA execution provider lives in. */
  static final String PROVIDER_LIBRARY = "libonnxruntime_providers_cuda.so";
  /** CUDA 12 keeps working with any driver from this one on (NVIDIA's minor version compatibility). */
  static final String MIN_DRIVER = "525.60.13";
  /** Sonames the provider loads besides the driver's own library, in the order it needs them. */
  static final List<String> LIBRARIES = List.of(
      "libcudart.so.12", "libcublas.so.12", "libcublasLt.so.12", "libcurand.so.10", "libcudnn.so.9");
  private static final Pattern VERSION = Pattern.compile("(\\d{1,9})(?:\\.(\\d{1,9}))?(?:\\.(\\d{1,9}))?");

  private CudaRequirements() {}

  /** Why ONNX Runtime's CUDA provider cannot run on {@code host}, as one sentence; empty when nothing is missing. */
  static Optional<String> whatIsMissing(CudaHost host, String ortVersion) {
    List<String> parts = new ArrayList<>();
    if (!host.hasCudaProvider()) {
      parts.add("ONNX Runtime's jar " + host.ortJar() + " has no CUDA provider (" + PROVIDER_LIBRARY
          + "): put com.microsoft.onnxruntime:onnxruntime_gpu on the classpath instead of onnxruntime");
    }
    Optional<String> driver = host.driverVersion();
    if (driver.isEmpty()) {
      parts.add("no NVIDIA driver is loaded (no /proc/driver/nvidia/version, no /dev/nvidiactl)");
    } else if (olderThan(driver.get(), MIN_DRIVER)) {
      parts.add("the NVIDIA driver " + driver.get() + " is older than " + MIN_DRIVER + ", the oldest that runs CUDA 12");
    } else if (!host.gpuListed()) {
      parts.add("the NVIDIA driver" + (driver.get().isEmpty() ? "" : " " + driver.get())
          + " is loaded but lists no GPU (no /dev/nvidia0, no /proc/driver/nvidia/gpus entries)");
    } else if (!host.canLoad("libcuda.so.1")) {
      parts.add("the NVIDIA driver is loaded but its library libcuda.so.1 cannot be loaded");
    }
    List<String> missing = LIBRARIES.stream().filter(library -> !host.canLoad(library)).toList();
    if (!missing.isEmpty()) {
      parts.add("the dynamic loader cannot load " + String.join(", ", missing) + " (ONNX Runtime " + ortVersion
          + "'s CUDA provider needs CUDA 12.x and cuDNN 9.x)" + foundInstead(host, missing));
    }
    return parts.isEmpty() ? Optional.empty() : Optional.of("CUDA cannot run here: " + String.join("; ", parts));
  }

  private static String foundInstead(CudaHost host, List<String> missing) {
    Set<String> found = new LinkedHashSet<>();
    for (String library : missing) {
      found.addAll(host.versionsOf(library));
    }
    if (found.isEmpty()) {
      return ", and no other version of them was found in the loader's cache, LD_LIBRARY_PATH or /usr/local/cuda*";
    }
    return ", found instead: " + String.join(", ", found);
  }

  /** Whether dotted version {@code version} is below {@code minimum}; an unreadable version is not judged. */
  static boolean olderThan(String version, String minimum) {
    Matcher v = VERSION.matcher(version);
    Matcher m = VERSION.matcher(minimum);
    if (!v.find() || !m.find()) {
      return false;
    }
    for (int group = 1; group <= 3; group++) {
      int a = v.group(group) == null ? 0 : Integer.parseInt(v.group(group));
      int b = m.group(group) == null ? 0 : Integer.parseInt(m.group(group));
      if (a != b) {
        return a < b;
      }
    }
    return false;
  }
}
