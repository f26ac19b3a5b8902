package org.pgdiffseg.sdk.runtime;

import static com.google.common.base.Preconditions.checkNotNull;

import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.pgdiffseg.sdk.BundleException;
import org.pgdiffseg.sdk.DeviceUnavailableException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The process's ONNX Runtime: one shared {@link OrtEnvironment}, the choice of execution provider, and
 * the C API used for I/O binding. The configuration's {@link DeviceChoice} decides: {@code cpu} always runs on
 * CPU; {@code cuda} runs on CUDA or fails at load with a {@link DeviceUnavailableException} naming what is
 * missing; {@code auto} runs on CUDA where it can and on CPU otherwise, logging why once, in one line.
 *
 * <p>What CUDA needs is looked at before it is requested (the provider in ONNX Runtime's jar, the NVIDIA
 * driver, the CUDA 12 and cuDNN 9 libraries, see {@link CudaRequirements}) because ONNX Runtime's own provider
 * list names CUDA on every machine, and a CUDA request that cannot succeed costs seconds before it fails naming
 * one library. After CUDA failed once, later {@code auto} sessions go straight to CPU.
 *
 * <p>Thread-safe.
 */
public final class OrtRuntime {
  private static final Logger LOG = LoggerFactory.getLogger(OrtRuntime.class);
  private static final class Shared {
    static final OrtRuntime INSTANCE = new OrtRuntime(GpuProbe.system());
  }

  private final OrtEnvironment environment;
  private final GpuProbe gpuProbe;
  private final Set<String> reasonsLogged = ConcurrentHashMap.newKeySet();
  private volatile Optional<String> whyNoGpu;
  private volatile String cudaFailure;

  OrtRuntime(GpuProbe gpuProbe) {
    this.environment = OrtEnvironments.get();
    this.gpuProbe = gpuProbe;
  }

  /** The runtime shared by the whole process. */
  public static OrtRuntime shared() {
    return Shared.INSTANCE;
  }

  /** ONNX Runtime's version, e.g. {@code 1.29.0}. */
  public String version() {
    return environment.getVersion();
  }

  /**
   * The device sessions opened with {@code config} will ask for first: CUDA when the configuration
   * allows it, nothing CUDA needs is missing and CUDA has not already failed in this runtime; CPU otherwise.
   */
  public ExecutionDevice preferredDevice(SessionConfig config) {
    return whyNotCuda(config).isEmpty() ? ExecutionDevice.CUDA : ExecutionDevice.CPU;
  }

  /**
   * Why ONNX Runtime's CUDA provider cannot run in this process, as one sentence naming everything missing (the
   * provider in ONNX Runtime's jar, the NVIDIA driver, CUDA 12 and cuDNN 9 libraries) and what was found
   * instead; empty when nothing is. The machine is looked at once per runtime.
   */
  public Optional<String> whyNoCuda() {
    String failed = cudaFailure;
    if (failed != null) {
      return Optional.of(failed);
    }
    Optional<String> probed = whyNoGpu;
    if (probed == null) {
      probed = gpuProbe.whyNoGpu();
      whyNoGpu = probed;
    }
    return probed;
  }

  /**
   * Refuses, before anything is loaded, a configuration that insists on CUDA ({@link DeviceChoice#CUDA}) where
   * CUDA cannot run; does nothing for {@code cpu} and {@code auto}.
   *
   * @throws DeviceUnavailableException naming what this machine lacks
   */
  public void checkDevice(SessionConfig config) throws DeviceUnavailableException {
    checkNotNull(config, "config");
    if (config.device() == DeviceChoice.CUDA) {
      Optional<String> why = whyNoCuda();
      if (why.isPresent()) {
        throw new DeviceUnavailableException("device cuda was asked for, but " + why.get());
      }
    }
  }

  /**
   * Loads {@code onnxFile} into a session configured by {@code config}: on CUDA when the device is {@code cuda},
   * or {@code auto} and CUDA can run; on CPU otherwise.
   *
   * @throws DeviceUnavailableException when the device is {@code cuda} and CUDA cannot run
   * @throws BundleException when the file is missing or ONNX Runtime cannot load it
   */
  public GraphSession openSession(Path onnxFile, SessionConfig config) throws BundleException {
    checkNotNull(onnxFile, "onnxFile");
    checkNotNull(config, "config");
    if (!Files.isRegularFile(onnxFile)) {
      throw new BundleException(onnxFile + ": graph file not found");
    }
    checkDevice(config);
    OrtCApi api = OrtCApi.get();
    Optional<String> whyNotCuda = whyNotCuda(config);
    if (whyNotCuda.isEmpty()) {
      try (OrtSession.SessionOptions options = options(config)) {
        options.addCUDA(config.cudaDeviceId());
        return new GraphSession(onnxFile, environment.createSession(onnxFile.toString(), options),
            ExecutionDevice.CUDA, api);
      } catch (OrtException e) {
        String failure = "CUDA cannot run here: ONNX Runtime could not start its CUDA provider on device "
            + config.cudaDeviceId() + " (" + firstLine(e.getMessage()) + ")";
        if (config.device() == DeviceChoice.CUDA) {
          throw new DeviceUnavailableException(onnxFile + ": device cuda was asked for, but " + failure, e);
        }
        cudaFailure = failure;
        whyNotCuda = Optional.of(failure);
      }
    }
    explainOnce(config, whyNotCuda.orElseThrow());
    try (OrtSession.SessionOptions options = options(config)) {
      return new GraphSession(onnxFile, environment.createSession(onnxFile.toString(), options),
          ExecutionDevice.CPU, api);
    } catch (OrtException e) {
      throw new BundleException(onnxFile + ": ONNX Runtime cannot load the graph: " + e.getMessage(), e);
    }
  }

  /** Why sessions opened with {@code config} ran on {@code device}, as a run record states it. */
  String deviceReason(SessionConfig config, ExecutionDevice device) {
    String chosen = "device " + config.device().cliName();
    if (device == ExecutionDevice.CUDA) {
      return chosen + ": CUDA runs here";
    }
    return config.device() == DeviceChoice.CPU ? chosen + " was asked for"
        : chosen + ": " + whyNoCuda().orElse("CUDA ran only one of the graphs");
  }

  private Optional<String> whyNotCuda(SessionConfig config) {
    if (config.device() == DeviceChoice.CPU) {
      return Optional.of("device cpu was asked for");
    }
    return whyNoCuda();
  }

  private void explainOnce(SessionConfig config, String reason) {
    if (reasonsLogged.add(reason)) {
      if (config.device() == DeviceChoice.CPU) {
        LOG.info("ONNX Runtime runs on CPU: {}", reason);
      } else {
        LOG.info("ONNX Runtime runs on CPU (device auto): {}", reason);
      }
    }
  }

  private static OrtSession.SessionOptions options(SessionConfig config) throws OrtException {
    OrtSession.SessionOptions options = new OrtSession.SessionOptions();
    try {
      options.setIntraOpNumThreads(config.intraOpThreads());
      options.setInterOpNumThreads(config.interOpThreads());
      options.setOptimizationLevel(config.optimization().ortLevel());
      options.setMemoryPatternOptimization(config.memoryPattern());
      options.addConfigEntry("session.intra_op.allow_spinning", config.spinning() ? "1" : "0");
      return options;
    } catch (OrtException e) {
      options.close();
      throw e;
    }
  }

  private static String firstLine(String message) {
    if (message == null) {
      return "no message";
    }
    int newline = message.indexOf('\n');
    return newline < 0 ? message : message.substring(0, newline);
  }
}
