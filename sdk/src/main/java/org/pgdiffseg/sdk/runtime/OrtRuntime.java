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
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The process's ONNX Runtime: one shared {@link OrtEnvironment}, the choice of execution provider, and
 * the C API used for I/O binding. Sessions ask for CUDA when the configuration allows it and a GPU is
 * present, and fall back to CPU otherwise; the reason CUDA was not used is logged once, in one line.
 *
 * <p>A GPU is looked for before CUDA is requested (driver files, then {@code libcuda.so.1}) because
 * ONNX Runtime's own provider list names CUDA on every machine, and a CUDA request without a GPU costs
 * seconds before it fails. After CUDA failed once, later sessions go straight to CPU.
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
   * allows it, a GPU is present and CUDA has not already failed in this runtime; CPU otherwise.
   */
  public ExecutionDevice preferredDevice(SessionConfig config) {
    return whyNotCuda(config).isEmpty() ? ExecutionDevice.CUDA : ExecutionDevice.CPU;
  }

  /**
   * Loads {@code onnxFile} into a session configured by {@code config}, on CUDA when possible.
   *
   * @throws BundleException when the file is missing or ONNX Runtime cannot load it
   */
  public GraphSession openSession(Path onnxFile, SessionConfig config) throws BundleException {
    checkNotNull(onnxFile, "onnxFile");
    checkNotNull(config, "config");
    if (!Files.isRegularFile(onnxFile)) {
      throw new BundleException(onnxFile + ": graph file not found");
    }
    OrtCApi api = OrtCApi.get();
    Optional<String> whyNotCuda = whyNotCuda(config);
    if (whyNotCuda.isEmpty()) {
      try (OrtSession.SessionOptions options = options(config)) {
        options.addCUDA(config.cudaDeviceId());
        return new GraphSession(onnxFile, environment.createSession(onnxFile.toString(), options),
            ExecutionDevice.CUDA, api);
      } catch (OrtException e) {
        cudaFailure = "CUDA libraries missing or unusable (" + firstLine(e.getMessage()) + ")";
        whyNotCuda = Optional.of(cudaFailure);
      }
    }
    explainOnce(whyNotCuda.orElseThrow());
    try (OrtSession.SessionOptions options = options(config)) {
      return new GraphSession(onnxFile, environment.createSession(onnxFile.toString(), options),
          ExecutionDevice.CPU, api);
    } catch (OrtException e) {
      throw new BundleException(onnxFile + ": ONNX Runtime cannot load the graph: " + e.getMessage(), e);
    }
  }

  private Optional<String> whyNotCuda(SessionConfig config) {
    if (!config.cudaEnabled()) {
      return Optional.of("disabled by configuration");
    }
    if (cudaFailure != null) {
      return Optional.of(cudaFailure);
    }
    Optional<String> probed = whyNoGpu;
    if (probed == null) {
      probed = gpuProbe.whyNoGpu();
      whyNoGpu = probed;
    }
    return probed;
  }

  private void explainOnce(String reason) {
    if (reasonsLogged.add(reason)) {
      LOG.info("ONNX Runtime runs on CPU: CUDA not used, {}", reason);
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
