package org.pgdiffseg.sdk.runtime;

import static com.google.common.base.Preconditions.checkNotNull;
import static com.google.common.base.Preconditions.checkState;

import java.nio.file.Path;
import org.pgdiffseg.sdk.BundleException;
import org.pgdiffseg.sdk.InferenceException;

/**
 * A bundle's two graphs loaded once: both ONNX Runtime sessions and their graph contract, checked when
 * opened. This is the part that may be shared: any number of {@link DiffusionGraphs} (each one worker's I/O
 * bindings and buffers) run on the same sessions at the same time, as ONNX Runtime allows concurrent runs of a
 * session with separate bindings. So n workers cost one model's memory and load time plus n sets of buffers.
 *
 * <p>Thread-safe. Close it after every binding made from it is closed; {@link #close()} is idempotent.
 */
public final class LoadedGraphs implements AutoCloseable {
  private final GraphSession prior;
  private final GraphSession denoiser;
  private final GraphContract contract;
  private final int cudaDeviceId;
  private final String deviceReason;
  private volatile boolean closed;

  private LoadedGraphs(GraphSession prior, GraphSession denoiser, GraphContract contract, int cudaDeviceId,
      OrtRuntime runtime, SessionConfig config) {
    this.prior = prior;
    this.denoiser = denoiser;
    this.contract = contract;
    this.cudaDeviceId = cudaDeviceId;
    this.deviceReason = runtime.deviceReason(config, device());
  }

  /**
   * Opens both graphs with {@code config} and checks them against the graph contract.
   *
   * @throws org.pgdiffseg.sdk.DeviceUnavailableException when {@code config} insists on CUDA and CUDA cannot run
   * @throws BundleException when a graph cannot be loaded or does not meet the contract; the message
   *     names the file, the tensor and expected vs declared
   */
  public static LoadedGraphs open(OrtRuntime runtime, Path priorOnnx, Path denoiserOnnx, SessionConfig config)
      throws BundleException {
    checkNotNull(runtime, "runtime");
    GraphSession prior = runtime.openSession(priorOnnx, config);
    GraphSession denoiser = null;
    try {
      denoiser = runtime.openSession(denoiserOnnx, config);
      return new LoadedGraphs(prior, denoiser, GraphContract.of(prior, denoiser), config.cudaDeviceId(), runtime,
          config);
    } catch (BundleException | RuntimeException e) {
      DiffusionGraphs.closeAll(denoiser, prior);
      throw e;
    }
  }

  /** A new set of I/O bindings and buffers on these sessions, for one worker. */
  public DiffusionGraphs bind() throws BundleException {
    return bind(false);
  }

  /** The bindings; with {@code owning}, closing them also closes this model. */
  DiffusionGraphs bind(boolean owning) throws BundleException {
    checkOpen();
    try {
      return new DiffusionGraphs(this, owning);
    } catch (InferenceException e) {
      throw new BundleException("cannot prepare I/O binding for " + prior.path() + " and " + denoiser.path() + ": "
          + e.getMessage(), e);
    }
  }

  public GraphSession priorSession() {
    checkOpen();
    return prior;
  }

  public GraphSession denoiserSession() {
    checkOpen();
    return denoiser;
  }

  /** CUDA when both graphs run there, else CPU (the host path is also right when only one got CUDA). */
  public ExecutionDevice device() {
    return prior.device() == ExecutionDevice.CUDA && denoiser.device() == ExecutionDevice.CUDA
        ? ExecutionDevice.CUDA : ExecutionDevice.CPU;
  }

  /**
   * Why the graphs run on {@link #device()}, in one line: the device asked for and, where {@code auto} ended on
   * CPU, what CUDA lacked (e.g. {@code device auto: CUDA cannot run here: no NVIDIA driver is loaded ...}).
   */
  public String deviceReason() {
    return deviceReason;
  }

  GraphContract contract() {
    return contract;
  }

  int cudaDeviceId() {
    return cudaDeviceId;
  }

  private void checkOpen() {
    checkState(!closed, "LoadedGraphs is closed");
  }

  @Override
  public void close() {
    if (!closed) {
      closed = true;
      DiffusionGraphs.closeAll(denoiser, prior);
    }
  }
}
