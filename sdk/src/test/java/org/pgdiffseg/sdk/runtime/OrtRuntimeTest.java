package org.pgdiffseg.sdk.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pgdiffseg.sdk.BundleException;

class OrtRuntimeTest {
  @Test
  void noGpuMeansCpuWithoutAskingForCudaAndProbesOnce() throws BundleException {
    AtomicInteger probes = new AtomicInteger();
    OrtRuntime runtime = new OrtRuntime(() -> {
      probes.incrementAndGet();
      return Optional.of("no NVIDIA GPU found (test)");
    });
    assertThat(runtime.preferredDevice(SessionConfig.defaults())).isEqualTo(ExecutionDevice.CPU);
    try (GraphSession first = runtime.openSession(TestGraphs.prior(), SessionConfig.defaults());
        GraphSession second = runtime.openSession(TestGraphs.denoiser(), SessionConfig.defaults())) {
      assertThat(first.device()).isEqualTo(ExecutionDevice.CPU);
      assertThat(second.device()).isEqualTo(ExecutionDevice.CPU);
    }
    assertThat(probes).hasValue(1);
  }

  @Test
  void cudaDisabledByConfigDoesNotProbe() throws BundleException {
    OrtRuntime runtime = new OrtRuntime(() -> {
      throw new AssertionError("probed although CUDA is disabled");
    });
    assertThat(runtime.preferredDevice(SessionConfig.cpuOnly())).isEqualTo(ExecutionDevice.CPU);
    try (GraphSession session = runtime.openSession(TestGraphs.prior(), SessionConfig.cpuOnly())) {
      assertThat(session.device()).isEqualTo(ExecutionDevice.CPU);
    }
  }

  @Test
  void systemProbeAgreesWithTheDriverFiles() {
    boolean driverFiles = Files.exists(Path.of("/dev/nvidia0")) || Files.isDirectory(Path.of("/proc/driver/nvidia/gpus"));
    Optional<String> why = GpuProbe.system().whyNoGpu();
    if (!driverFiles) {
      assertThat(why).hasValueSatisfying(reason -> assertThat(reason).contains("no NVIDIA GPU"));
    }
  }

  @Test
  void unreadableGraphIsABundleError(@TempDir Path dir) throws Exception {
    Path garbage = Files.writeString(dir.resolve("garbage.onnx"), "not a graph");
    assertThatThrownBy(() -> OrtRuntime.shared().openSession(garbage, SessionConfig.cpuOnly()))
        .isInstanceOf(BundleException.class).hasMessageContaining("garbage.onnx");
  }

  @Test
  void reportsVersion() {
    assertThat(OrtRuntime.shared().version()).isEqualTo("1.29.0");
  }
}
