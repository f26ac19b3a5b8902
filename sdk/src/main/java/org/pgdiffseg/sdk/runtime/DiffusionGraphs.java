package org.pgdiffseg.sdk.runtime;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;
import static com.google.common.base.Preconditions.checkState;

import java.nio.file.Path;
import java.util.List;
import org.pgdiffseg.sdk.BundleException;
import org.pgdiffseg.sdk.InferenceException;

/**
 * Runs a bundle's prior graph once per image batch and its denoiser graph once per step, with I/O
 * binding: image and prior tensors bound once per batch (kept in device memory on CUDA), x_t / t / eps
 * native buffers reused every step.
 *
 * <p>On CPU the prior output is written into a host buffer this object owns, and that same buffer is the
 * denoiser's {@code prior} input. On CUDA the prior output is bound to device memory
 * ({@code BindOutputToDevice}), fetched as an {@code OrtValue} and bound as the denoiser's input, so it
 * never leaves the device; the image is copied to the device once, when it is bound. x_t and t are
 * rebound every step, which copies them to the device on CUDA and costs nothing on CPU.
 *
 * <p>The sessions themselves belong to a {@link LoadedGraphs}, which any number of these share (one per
 * worker); this object holds one worker's bindings and buffers.
 *
 * <p>Not thread-safe: one instance serves one run at a time. {@link #close()} is idempotent; any other
 * call after it throws {@link IllegalStateException}.
 */
public final class DiffusionGraphs implements AutoCloseable {
  private final LoadedGraphs model;
  private final boolean ownsModel;
  private final GraphSession prior;
  private final GraphSession denoiser;
  private final GraphContract contract;
  private final ExecutionDevice device;
  private final OrtCApi api;
  private final MemoryInfo hostMemory;
  private final MemoryInfo deviceMemory; // null on CPU
  private final SessionAllocator priorAllocator;
  private final IoBinding priorBinding;
  private final IoBinding denoiserBinding;
  private BatchBuffers buffers; // for the batch size of the last conditionOn, or null
  private BatchBuffers sideBuffers; // for the batch size of the last priorOutputs, or null
  private boolean conditioned;
  private boolean closed;

  DiffusionGraphs(LoadedGraphs model, boolean ownsModel) throws InferenceException {
    this.model = model;
    this.ownsModel = ownsModel;
    this.prior = model.priorSession();
    this.denoiser = model.denoiserSession();
    this.contract = model.contract();
    this.device = model.device();
    int cudaDeviceId = model.cudaDeviceId();
    this.api = prior.api();
    MemoryInfo host = null;
    MemoryInfo onDevice = null;
    SessionAllocator allocator = null;
    IoBinding priorIo = null;
    try {
      host = MemoryInfo.cpu(api);
      if (device == ExecutionDevice.CUDA) {
        onDevice = MemoryInfo.cuda(api, cudaDeviceId);
      }
      allocator = new SessionAllocator(api, prior.nativeSession(), host);
      priorIo = new IoBinding(prior);
      this.denoiserBinding = new IoBinding(denoiser);
    } catch (InferenceException | RuntimeException e) {
      closeAll(priorIo, allocator, onDevice, host);
      throw e;
    }
    this.hostMemory = host;
    this.deviceMemory = onDevice;
    this.priorAllocator = allocator;
    this.priorBinding = priorIo;
  }

  /**
   * Opens both graphs with {@code config}, checks them against the graph contract, and binds them for one
   * worker; the sessions close with this object. To share the sessions among workers, use
   * {@link LoadedGraphs#open} and {@link LoadedGraphs#bind}.
   *
   * @throws BundleException when a graph cannot be loaded or does not meet the contract; the message
   *     names the file, the tensor and expected vs declared
   */
  public static DiffusionGraphs open(OrtRuntime runtime, Path priorOnnx, Path denoiserOnnx, SessionConfig config)
      throws BundleException {
    LoadedGraphs model = LoadedGraphs.open(runtime, priorOnnx, denoiserOnnx, config);
    try {
      return model.bind(true);
    } catch (BundleException | RuntimeException e) {
      model.close();
      throw e;
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

  public ExecutionDevice device() {
    checkOpen();
    return device;
  }

  /** {@code {H, W}} of the image the graphs take. */
  public int[] imageShape() {
    checkOpen();
    return new int[] {contract.height(), contract.width()};
  }

  /** {@code K}, the number of classes in {@code class_logits}. */
  public int classCount() {
    checkOpen();
    return contract.classes();
  }

  /** {@code {h', w'}} of {@code coarse_mask}. */
  public int[] coarseMaskShape() {
    checkOpen();
    return new int[] {contract.coarseHeight(), contract.coarseWidth()};
  }

  /**
   * Runs prior.onnx on image [batch,1,h,w] (row-major float32); copies class_logits [batch,K] and
   * coarse_mask [batch,1,h',w'] to the given host arrays; keeps image and prior bound for denoise().
   *
   * @throws IllegalArgumentException when an array's length does not match {@code batch} and the graphs
   * @throws InferenceException when ONNX Runtime fails; its error code is kept
   */
  public void conditionOn(float[] image, int batch, float[] classLogitsOut, float[] coarseMaskOut)
      throws InferenceException {
    checkPriorArrays(image, batch, classLogitsOut, coarseMaskOut);
    conditioned = false;
    BatchBuffers batchBuffers = buffersFor(batch);
    if (device == ExecutionDevice.CUDA) {
      priorBinding.bindOutputToDevice(GraphContract.PRIOR, deviceMemory);
    } else {
      priorBinding.bindOutput(GraphContract.PRIOR, batchBuffers.priorOnHost);
    }
    runPrior(batchBuffers, image);

    if (device == ExecutionDevice.CUDA) {
      batchBuffers.keepPriorOnDevice(fetchPriorOnDevice());
      denoiserBinding.bindInput(GraphContract.PRIOR, batchBuffers.priorOnDevice.handle());
    } else {
      denoiserBinding.bindInput(GraphContract.PRIOR, batchBuffers.priorOnHost);
    }
    denoiserBinding.bindInput(GraphContract.IMAGE, batchBuffers.image);
    denoiserBinding.bindOutput(GraphContract.EPS, batchBuffers.eps);
    batchBuffers.classLogits.read(classLogitsOut);
    batchBuffers.coarseMask.read(coarseMaskOut);
    conditioned = true;
  }

  /**
   * Runs prior.onnx on image [batch,1,h,w] for its class_logits and coarse_mask only, in buffers of its own: what
   * {@link #conditionOn} bound for {@link #denoise} stays bound (a look at another image, such as a mirror, between
   * the denoiser's steps or before them).
   *
   * @throws IllegalArgumentException when an array's length does not match {@code batch} and the graphs
   * @throws InferenceException when ONNX Runtime fails; its error code is kept
   */
  public void priorOutputs(float[] image, int batch, float[] classLogitsOut, float[] coarseMaskOut)
      throws InferenceException {
    checkPriorArrays(image, batch, classLogitsOut, coarseMaskOut);
    if (sideBuffers == null || sideBuffers.batch != batch) {
      priorBinding.clear();   // nothing may stay bound to the buffers about to be freed
      if (sideBuffers != null) {
        sideBuffers.close();
        sideBuffers = null;
      }
      sideBuffers = new BatchBuffers(batch, true, false);
    }
    priorBinding.bindOutput(GraphContract.PRIOR, sideBuffers.priorOnHost);   // read by no one: on the host is fine
    runPrior(sideBuffers, image);
    sideBuffers.classLogits.read(classLogitsOut);
    sideBuffers.coarseMask.read(coarseMaskOut);
  }

  private void checkPriorArrays(float[] image, int batch, float[] classLogitsOut, float[] coarseMaskOut) {
    checkOpen();
    checkArgument(batch > 0, "batch must be positive, got %s", batch);
    checkLength("image", image, (long) batch * contract.height() * contract.width());
    checkLength("classLogitsOut", classLogitsOut, (long) batch * contract.classes());
    checkLength("coarseMaskOut", coarseMaskOut, (long) batch * contract.coarseHeight() * contract.coarseWidth());
  }

  /** One prior call on {@code image} in {@code into}'s buffers, its prior output already bound by the caller. */
  private void runPrior(BatchBuffers into, float[] image) throws InferenceException {
    into.image.write(image);
    priorBinding.bindInput(GraphContract.IMAGE, into.image);
    priorBinding.bindOutput(GraphContract.CLASS_LOGITS, into.classLogits);
    priorBinding.bindOutput(GraphContract.COARSE_MASK, into.coarseMask);
    priorBinding.synchronizeInputs();
    priorBinding.run();
    priorBinding.synchronizeOutputs();
  }

  /**
   * One denoiser call: x_t [batch,1,h,w], t [batch] -> eps [batch,1,h,w], all host float[] of the batch
   * given to conditionOn. Allocates nothing on the Java heap after the first call for a batch size.
   *
   * @throws IllegalStateException before {@link #conditionOn} succeeded
   * @throws IllegalArgumentException when an array's length does not match the batch
   * @throws InferenceException when ONNX Runtime fails; its error code is kept
   */
  public void denoise(float[] xt, float[] t, float[] epsOut) throws InferenceException {
    checkOpen();
    checkState(conditioned, "denoise() needs a successful conditionOn() first");
    BatchBuffers batchBuffers = buffers;
    checkLength("xt", xt, batchBuffers.xt.elementCount());
    checkLength("t", t, batchBuffers.t.elementCount());
    checkLength("epsOut", epsOut, batchBuffers.eps.elementCount());
    batchBuffers.xt.write(xt);
    batchBuffers.t.write(t);
    denoiserBinding.bindInput(GraphContract.X_T, batchBuffers.xt);
    denoiserBinding.bindInput(GraphContract.T, batchBuffers.t);
    denoiserBinding.synchronizeInputs();
    denoiserBinding.run();
    denoiserBinding.synchronizeOutputs();
    batchBuffers.eps.read(epsOut);
  }

  /** The prior output ONNX Runtime allocated on the device; the other outputs went to host buffers. */
  private OrtValueRef fetchPriorOnDevice() throws InferenceException {
    List<OrtValueRef> outputs = priorBinding.boundOutputValues(priorAllocator);
    // Bound in the order prior, class_logits, coarse_mask: keep the first, release the others.
    for (int i = 1; i < outputs.size(); i++) {
      outputs.get(i).close();
    }
    return outputs.getFirst();
  }

  private BatchBuffers buffersFor(int batch) throws InferenceException {
    if (buffers != null && buffers.batch == batch) {
      return buffers;
    }
    // Nothing may stay bound to the buffers about to be freed.
    priorBinding.clear();
    denoiserBinding.clear();
    if (buffers != null) {
      buffers.close();
      buffers = null;
    }
    buffers = new BatchBuffers(batch, device == ExecutionDevice.CPU, true);
    return buffers;
  }

  private static void checkLength(String name, float[] array, long expected) {
    checkNotNull(array, name);
    if (array.length != expected) {
      throw new IllegalArgumentException(name + " must hold " + expected + " floats, got " + array.length);
    }
  }

  private void checkOpen() {
    checkState(!closed, "DiffusionGraphs is closed");
  }

  /**
   * Closes the bindings, then the buffers bound to them, then memory infos; then the sessions when this object
   * opened them itself.
   */
  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    conditioned = false;
    closeAll(denoiserBinding, priorBinding, sideBuffers, buffers, priorAllocator, deviceMemory, hostMemory,
        ownsModel ? model : null);
  }

  static void closeAll(AutoCloseable... resources) {
    RuntimeException failure = null;
    for (AutoCloseable resource : resources) {
      if (resource == null) {
        continue;
      }
      try {
        resource.close();
      } catch (Exception e) {
        RuntimeException wrapped = e instanceof RuntimeException r ? r : new IllegalStateException(e);
        if (failure == null) {
          failure = wrapped;
        } else {
          failure.addSuppressed(wrapped);
        }
      }
    }
    if (failure != null) {
      throw failure;
    }
  }

  /**
   * The host buffers of one batch size, each with its OrtValue: the prior's input and outputs, and the denoiser's
   * x_t, t and eps unless the buffers are for prior calls only (then those three are null).
   */
  private final class BatchBuffers implements AutoCloseable {
    final int batch;
    final NativeTensor image;
    final NativeTensor priorOnHost; // where the prior output goes to the host (the CPU path), else null
    final NativeTensor classLogits;
    final NativeTensor coarseMask;
    final NativeTensor xt; // null in prior-only buffers
    final NativeTensor t; // null in prior-only buffers
    final NativeTensor eps; // null in prior-only buffers
    OrtValueRef priorOnDevice; // CUDA path only, replaced on every conditionOn

    BatchBuffers(int batch, boolean withPriorOnHost, boolean forDenoiser) throws InferenceException {
      this.batch = batch;
      NativeTensor[] made = new NativeTensor[7];
      try {
        made[0] = NativeTensor.allocate(api, hostMemory, contract.imageShape(batch));
        made[1] = withPriorOnHost ? NativeTensor.allocate(api, hostMemory, contract.priorShape(batch)) : null;
        made[2] = NativeTensor.allocate(api, hostMemory, contract.classLogitsShape(batch));
        made[3] = NativeTensor.allocate(api, hostMemory, contract.coarseMaskShape(batch));
        if (forDenoiser) {
          made[4] = NativeTensor.allocate(api, hostMemory, contract.imageShape(batch));
          made[5] = NativeTensor.allocate(api, hostMemory, batch);
          made[6] = NativeTensor.allocate(api, hostMemory, contract.imageShape(batch));
        }
      } catch (InferenceException | RuntimeException e) {
        closeAll(made);
        throw e;
      }
      image = made[0];
      priorOnHost = made[1];
      classLogits = made[2];
      coarseMask = made[3];
      xt = made[4];
      t = made[5];
      eps = made[6];
    }

    void keepPriorOnDevice(OrtValueRef value) {
      if (priorOnDevice != null) {
        priorOnDevice.close();
      }
      priorOnDevice = value;
    }

    @Override
    public void close() {
      closeAll(priorOnDevice, eps, t, xt, coarseMask, classLogits, priorOnHost, image);
    }
  }
}
