package org.pgdiffseg.sdk.runtime;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import ai.onnxruntime.OrtSession.SessionOptions.OptLevel;

/**
 * How ONNX Runtime sessions are built: thread counts, graph optimisation, memory pattern and the device to
 * run on. Immutable; {@link #defaults()} suits most uses.
 *
 * @param intraOpThreads threads used inside one operator; 0: a Segmenter gives its sessions the cores shared among
 *     its workers (cores / workers, at least one), a session opened on its own lets ONNX Runtime choose (one per core)
 * @param interOpThreads threads used across independent operators; 0 lets ONNX Runtime choose
 * @param optimization graph optimisation level applied when a session is created
 * @param memoryPattern whether ONNX Runtime plans memory from the shapes of earlier runs
 * @param spinning whether ONNX Runtime's worker threads spin while waiting for work
 *     ({@code session.intra_op.allow_spinning}); off by default: spinning threads compete with every other thread
 *     for the cores, and cost a quarter to 40 % of the throughput on a shared host (docs/throughput.md,
 *     "Deployment defaults")
 * @param device CPU, CUDA, or CUDA where it can run and CPU otherwise ({@link DeviceChoice#AUTO}, the default)
 * @param cudaDeviceId the CUDA device to run on
 */
public record SessionConfig(
    int intraOpThreads,
    int interOpThreads,
    Optimization optimization,
    boolean memoryPattern,
    boolean spinning,
    DeviceChoice device,
    int cudaDeviceId) {

  /** ONNX Runtime's graph optimisation levels. */
  public enum Optimization {
    NONE(OptLevel.NO_OPT),
    BASIC(OptLevel.BASIC_OPT),
    EXTENDED(OptLevel.EXTENDED_OPT),
    ALL(OptLevel.ALL_OPT);

    private final OptLevel ortLevel;

    Optimization(OptLevel ortLevel) {
      this.ortLevel = ortLevel;
    }

    OptLevel ortLevel() {
      return ortLevel;
    }
  }

  private static final SessionConfig DEFAULTS = new SessionConfig(0, 0, Optimization.ALL, true, false, DeviceChoice.AUTO, 0);

  public SessionConfig {
    int max = maxThreads();
    checkArgument(intraOpThreads >= 0 && intraOpThreads <= max,
        "intraOpThreads must be in 0..%s (0: the cores, shared among the workers; at most 4 per core, 256 in all),"
            + " got %s", max, intraOpThreads);
    checkArgument(interOpThreads >= 0 && interOpThreads <= max,
        "interOpThreads must be in 0..%s (0: one per core; at most 4 per core, 256 in all), got %s", max, interOpThreads);
    checkNotNull(optimization, "optimization");
    checkNotNull(device, "device");
    checkArgument(cudaDeviceId >= 0, "cudaDeviceId must be >= 0, got %s", cudaDeviceId);
  }

  /**
   * The most threads a session may ask for: 4 per available core, at most 256. More threads only take turns on the
   * same cores (2,000 intra-op threads on 2 cores ran for minutes); 4 per core still allows a host that shares its
   * cores with others.
   */
  public static int maxThreads() {
    return Math.min(4 * Runtime.getRuntime().availableProcessors(), 256);
  }

  /** Whether CUDA may be asked for: the device is {@link DeviceChoice#CUDA} or {@link DeviceChoice#AUTO}. */
  public boolean cudaEnabled() {
    return device != DeviceChoice.CPU;
  }

  /**
   * Intra-op threads 0 (the cores, shared among a Segmenter's workers), all optimisations, memory pattern on, no
   * spinning, CUDA device 0 where CUDA can run.
   */
  public static SessionConfig defaults() {
    return DEFAULTS;
  }

  /** Defaults with CUDA turned off: always CPU. */
  public static SessionConfig cpuOnly() {
    return DEFAULTS.toBuilder().device(DeviceChoice.CPU).build();
  }

  public static Builder builder() {
    return DEFAULTS.toBuilder();
  }

  public Builder toBuilder() {
    return new Builder(this);
  }

  /** Builder starting from the values it was made from; every setting is optional. Not thread-safe. */
  public static final class Builder {
    private int intraOpThreads;
    private int interOpThreads;
    private Optimization optimization;
    private boolean memoryPattern;
    private boolean spinning;
    private DeviceChoice device;
    private int cudaDeviceId;

    private Builder(SessionConfig from) {
      intraOpThreads = from.intraOpThreads;
      interOpThreads = from.interOpThreads;
      optimization = from.optimization;
      memoryPattern = from.memoryPattern;
      spinning = from.spinning;
      device = from.device;
      cudaDeviceId = from.cudaDeviceId;
    }

    public Builder intraOpThreads(int threads) {
      this.intraOpThreads = threads;
      return this;
    }

    public Builder interOpThreads(int threads) {
      this.interOpThreads = threads;
      return this;
    }

    public Builder optimization(Optimization level) {
      this.optimization = level;
      return this;
    }

    public Builder memoryPattern(boolean enabled) {
      this.memoryPattern = enabled;
      return this;
    }

    public Builder spinning(boolean enabled) {
      this.spinning = enabled;
      return this;
    }

    public Builder device(DeviceChoice choice) {
      this.device = choice;
      return this;
    }

    /** {@code true}: {@link DeviceChoice#AUTO}; {@code false}: {@link DeviceChoice#CPU}. */
    public Builder cudaEnabled(boolean enabled) {
      this.device = enabled ? DeviceChoice.AUTO : DeviceChoice.CPU;
      return this;
    }

    public Builder cudaDeviceId(int deviceId) {
      this.cudaDeviceId = deviceId;
      return this;
    }

    public SessionConfig build() {
      return new SessionConfig(
          intraOpThreads, interOpThreads, optimization, memoryPattern, spinning, device, cudaDeviceId);
    }
  }
}
