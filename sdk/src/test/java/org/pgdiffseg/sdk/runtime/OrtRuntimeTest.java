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
import org.pgdiffseg.sdk.DeviceUnavailableException;

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
    boolean driverFiles = Files.exists(Path.of("/proc/driver/nvidia/version")) || Files.exists(Path.of("/dev/nvidiactl"));
    Optional<String> why = GpuProbe.system().whyNoGpu();
    if (!driverFiles) {
      assertThat(why).hasValueSatisfying(reason -> assertThat(reason).startsWith("CUDA cannot run here: ")
          .contains("no NVIDIA driver is loaded"));
    }
  }

  @Test
  void cudaInsistedOnFailsBeforeLoadingNamingWhatIsMissing() {
    OrtRuntime runtime = new OrtRuntime(() -> Optional.of("CUDA cannot run here: no NVIDIA driver is loaded (test)"));
    SessionConfig cuda = SessionConfig.builder().device(DeviceChoice.CUDA).build();
    String sentence = "device cuda was asked for, but CUDA cannot run here: no NVIDIA driver is loaded (test)";
    assertThatThrownBy(() -> runtime.checkDevice(cuda))
        .isInstanceOf(DeviceUnavailableException.class).hasMessage(sentence);
    assertThatThrownBy(() -> runtime.openSession(TestGraphs.prior(), cuda))
        .isInstanceOf(DeviceUnavailableException.class).hasMessage(sentence);
    assertThatThrownBy(() -> LoadedGraphs.open(runtime, TestGraphs.prior(), TestGraphs.denoiser(), cuda))
        .isInstanceOf(DeviceUnavailableException.class).hasMessage(sentence);
  }

  @Test
  void cpuAndAutoPassTheDeviceCheck() throws BundleException {
    OrtRuntime runtime = new OrtRuntime(() -> Optional.of("CUDA cannot run here: no NVIDIA driver is loaded (test)"));
    runtime.checkDevice(SessionConfig.cpuOnly());
    runtime.checkDevice(SessionConfig.defaults());
    assertThat(runtime.whyNoCuda()).contains("CUDA cannot run here: no NVIDIA driver is loaded (test)");
  }

  @Test
  void loadedGraphsSayWhyTheyRunOnCpu() throws BundleException {
    OrtRuntime runtime = new OrtRuntime(() -> Optional.of("CUDA cannot run here: no NVIDIA driver is loaded (test)"));
    try (LoadedGraphs auto = LoadedGraphs.open(runtime, TestGraphs.prior(), TestGraphs.denoiser(),
            SessionConfig.defaults());
        LoadedGraphs cpu = LoadedGraphs.open(runtime, TestGraphs.prior(), TestGraphs.denoiser(),
            SessionConfig.cpuOnly())) {
      assertThat(auto.device()).isEqualTo(ExecutionDevice.CPU);
      assertThat(auto.deviceReason())
          .isEqualTo("device auto: CUDA cannot run here: no NVIDIA driver is loaded (test)");
      assertThat(cpu.deviceReason()).isEqualTo("device cpu was asked for");
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
