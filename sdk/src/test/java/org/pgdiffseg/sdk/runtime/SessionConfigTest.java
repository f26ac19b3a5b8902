package org.pgdiffseg.sdk.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class SessionConfigTest {
  @Test
  void defaultsLeaveThreadsToTheSegmenterSpinNotAndAllowCuda() {
    SessionConfig config = SessionConfig.defaults();
    assertThat(config.intraOpThreads()).isZero();
    assertThat(config.interOpThreads()).isZero();
    assertThat(config.optimization()).isEqualTo(SessionConfig.Optimization.ALL);
    assertThat(config.memoryPattern()).isTrue();
    assertThat(config.spinning()).isFalse();
    assertThat(config.device()).isEqualTo(DeviceChoice.AUTO);
    assertThat(config.cudaEnabled()).isTrue();
    assertThat(config.cudaDeviceId()).isZero();
    assertThat(SessionConfig.cpuOnly().device()).isEqualTo(DeviceChoice.CPU);
    assertThat(SessionConfig.cpuOnly().cudaEnabled()).isFalse();
  }

  @Test
  void deviceChoiceAndTheOlderCudaSwitchAgree() {
    assertThat(SessionConfig.builder().device(DeviceChoice.CUDA).build().cudaEnabled()).isTrue();
    assertThat(SessionConfig.builder().device(DeviceChoice.CPU).build().cudaEnabled()).isFalse();
    assertThat(SessionConfig.builder().device(DeviceChoice.CUDA).cudaEnabled(false).build().device())
        .isEqualTo(DeviceChoice.CPU);
    assertThat(SessionConfig.cpuOnly().toBuilder().cudaEnabled(true).build().device()).isEqualTo(DeviceChoice.AUTO);
    assertThatThrownBy(() -> SessionConfig.builder().device(null).build())
        .isInstanceOf(NullPointerException.class).hasMessage("device");
  }

  @Test
  void deviceChoiceParsesTheCommandLineNames() {
    assertThat(DeviceChoice.parse("cpu")).isEqualTo(DeviceChoice.CPU);
    assertThat(DeviceChoice.parse("CUDA")).isEqualTo(DeviceChoice.CUDA);
    assertThat(DeviceChoice.parse(" auto ")).isEqualTo(DeviceChoice.AUTO);
    assertThat(DeviceChoice.AUTO.cliName()).isEqualTo("auto");
    assertThatThrownBy(() -> DeviceChoice.parse("gpu"))
        .isInstanceOf(IllegalArgumentException.class).hasMessage("device must be cpu, cuda or auto, got 'gpu'");
  }

  @Test
  void builderCopiesAndOverrides() {
    SessionConfig config = SessionConfig.builder().intraOpThreads(2).interOpThreads(1)
        .optimization(SessionConfig.Optimization.BASIC).memoryPattern(false).spinning(false).cudaDeviceId(1).build();
    assertThat(config).isEqualTo(new SessionConfig(2, 1, SessionConfig.Optimization.BASIC, false, false, DeviceChoice.AUTO, 1));
    assertThat(config.toBuilder().build()).isEqualTo(config);
    assertThat(config.toBuilder().cudaEnabled(false).build().intraOpThreads()).isEqualTo(2);
  }

  @Test
  void rejectsMoreThreadsThanFourPerCoreOrTwoHundredFiftySix() {
    int max = Math.min(4 * Runtime.getRuntime().availableProcessors(), 256);
    assertThat(SessionConfig.maxThreads()).isEqualTo(max);
    assertThat(SessionConfig.builder().intraOpThreads(max).interOpThreads(max).build().intraOpThreads()).isEqualTo(max);
    assertThatThrownBy(() -> SessionConfig.builder().intraOpThreads(2000).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("intraOpThreads must be in 0.." + max + " (0: the cores, shared among the workers; at most 4 per core, 256 in all), got 2000");
    assertThatThrownBy(() -> SessionConfig.builder().interOpThreads(max + 1).build())
        .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("interOpThreads must be in 0.." + max);
  }

  @Test
  void rejectsNegativeCounts() {
    assertThatThrownBy(() -> SessionConfig.builder().intraOpThreads(-1).build())
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("intraOpThreads");
    assertThatThrownBy(() -> SessionConfig.builder().cudaDeviceId(-2).build())
        .isInstanceOf(IllegalArgumentException.class);
  }
}
