package org.pgdiffseg.sdk.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

class CudaRequirementsTest {
  /** A machine described by its answers. */
  private record Host(boolean hasCudaProvider, Optional<String> driverVersion, boolean gpuListed,
      Set<String> loadable, Map<String, List<String>> others) implements CudaHost {
    @Override
    public String ortJar() {
      return hasCudaProvider ? "onnxruntime_gpu-1.29.0.jar" : "onnxruntime-1.29.0.jar";
    }

    @Override
    public boolean canLoad(String library) {
      return loadable.contains(library);
    }

    @Override
    public List<String> versionsOf(String library) {
      return others.getOrDefault(library, List.of());
    }
  }

  private static final Set<String> ALL = Set.of("libcuda.so.1", "libcudart.so.12", "libcublas.so.12",
      "libcublasLt.so.12", "libcurand.so.10", "libcudnn.so.9");

  @Test
  void completeMachineLacksNothing() {
    Host host = new Host(true, Optional.of("550.54.15"), true, ALL, Map.of());
    assertThat(CudaRequirements.whatIsMissing(host, "1.29.0")).isEmpty();
  }

  @Test
  void machineWithoutGpuNamesTheDriverAndEveryLibrary() {
    Host host = new Host(true, Optional.empty(), false, Set.of(), Map.of());
    assertThat(CudaRequirements.whatIsMissing(host, "1.29.0")).contains("CUDA cannot run here: no NVIDIA driver is"
        + " loaded (no /proc/driver/nvidia/version, no /dev/nvidiactl); the dynamic loader cannot load"
        + " libcudart.so.12, libcublas.so.12, libcublasLt.so.12, libcurand.so.10, libcudnn.so.9 (ONNX Runtime"
        + " 1.29.0's CUDA provider needs CUDA 12.x and cuDNN 9.x), and no other version of them was found in the"
        + " loader's cache, LD_LIBRARY_PATH or /usr/local/cuda*");
  }

  @Test
  void wrongCudaIsNamedWithWhatWasFoundInstead() {
    Host host = new Host(true, Optional.of("535.104.05"), true,
        Set.of("libcuda.so.1", "libcublas.so.12", "libcublasLt.so.12", "libcurand.so.10"),
        Map.of("libcudart.so.12", List.of("/usr/local/cuda-11.8/lib64/libcudart.so.11.0"),
            "libcudnn.so.9", List.of("/usr/lib/x86_64-linux-gnu/libcudnn.so.8")));
    assertThat(CudaRequirements.whatIsMissing(host, "1.29.0")).contains("CUDA cannot run here: the dynamic loader"
        + " cannot load libcudart.so.12, libcudnn.so.9 (ONNX Runtime 1.29.0's CUDA provider needs CUDA 12.x and"
        + " cuDNN 9.x), found instead: /usr/local/cuda-11.8/lib64/libcudart.so.11.0,"
        + " /usr/lib/x86_64-linux-gnu/libcudnn.so.8");
  }

  @Test
  void cpuOnlyJarIsNamed() {
    Host host = new Host(false, Optional.of("550.54.15"), true, ALL, Map.of());
    assertThat(CudaRequirements.whatIsMissing(host, "1.29.0")).contains("CUDA cannot run here: ONNX Runtime's jar"
        + " onnxruntime-1.29.0.jar has no CUDA provider (libonnxruntime_providers_cuda.so): put"
        + " com.microsoft.onnxruntime:onnxruntime_gpu on the classpath instead of onnxruntime");
  }

  @Test
  void driverTooOldForCuda12IsNamed() {
    Host host = new Host(true, Optional.of("470.82.01"), true, ALL, Map.of());
    assertThat(CudaRequirements.whatIsMissing(host, "1.29.0")).contains("CUDA cannot run here: the NVIDIA driver"
        + " 470.82.01 is older than 525.60.13, the oldest that runs CUDA 12");
  }

  @Test
  void driverWithoutGpuOrWithoutItsLibraryIsNamed() {
    assertThat(CudaRequirements.whatIsMissing(new Host(true, Optional.of(""), false, ALL, Map.of()), "1.29.0"))
        .contains("CUDA cannot run here: the NVIDIA driver is loaded but lists no GPU (no /dev/nvidia0, no"
            + " /proc/driver/nvidia/gpus entries)");
    Set<String> noLibcuda = Set.of("libcudart.so.12", "libcublas.so.12", "libcublasLt.so.12", "libcurand.so.10",
        "libcudnn.so.9");
    assertThat(CudaRequirements.whatIsMissing(new Host(true, Optional.of("550.54.15"), true, noLibcuda, Map.of()),
        "1.29.0")).contains("CUDA cannot run here: the NVIDIA driver is loaded but its library libcuda.so.1 cannot"
            + " be loaded");
  }

  @Test
  void comparesDriverVersionsNumerically() {
    assertThat(CudaRequirements.olderThan("525.60.13", "525.60.13")).isFalse();
    assertThat(CudaRequirements.olderThan("525.60.9", "525.60.13")).isTrue();
    assertThat(CudaRequirements.olderThan("1000.1", "525.60.13")).isFalse();
    assertThat(CudaRequirements.olderThan("", "525.60.13")).isFalse();
  }

  @Test
  void thisMachineIsDescribedAsItIs() {
    SystemCudaHost host = new SystemCudaHost();
    Optional<String> missing = CudaRequirements.whatIsMissing(host, "1.29.0");
    if (host.driverVersion().isEmpty()) {
      assertThat(missing).hasValueSatisfying(s -> assertThat(s).contains("no NVIDIA driver is loaded"));
    }
    for (String library : CudaRequirements.LIBRARIES) {
      if (!host.canLoad(library)) {
        assertThat(missing).hasValueSatisfying(s -> assertThat(s).contains(library));
      }
    }
    // The test classpath has the GPU jar (the SDK's dependency).
    assertThat(host.hasCudaProvider()).isTrue();
    assertThat(host.ortJar()).startsWith("onnxruntime_gpu-");
    assertThat(host.canLoad("libc.so.6")).isTrue();
  }
}
