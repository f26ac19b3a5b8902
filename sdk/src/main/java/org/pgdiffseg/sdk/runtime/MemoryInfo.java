package org.pgdiffseg.sdk.runtime;

import static com.google.common.base.Preconditions.checkState;

import java.lang.foreign.MemorySegment;
import org.pgdiffseg.sdk.InferenceException;

/**
 * Owns one {@code OrtMemoryInfo}: where a tensor lives (host memory, or a CUDA device). Not thread-safe
 * to close while in use; idempotent close.
 */
final class MemoryInfo implements AutoCloseable {
  private final OrtCApi api;
  private final MemorySegment handle;
  private final ExecutionDevice device;
  private boolean closed;

  private MemoryInfo(OrtCApi api, MemorySegment handle, ExecutionDevice device) {
    this.api = api;
    this.handle = handle;
    this.device = device;
  }

  /** Host memory. */
  static MemoryInfo cpu(OrtCApi api) throws InferenceException {
    return new MemoryInfo(api,
        api.createMemoryInfo("Cpu", OrtCApi.ORT_DEVICE_ALLOCATOR, 0, OrtCApi.ORT_MEM_TYPE_DEFAULT), ExecutionDevice.CPU);
  }

  /** Memory of CUDA device {@code deviceId}, as ONNX Runtime's I/O binding examples create it. */
  static MemoryInfo cuda(OrtCApi api, int deviceId) throws InferenceException {
    return new MemoryInfo(api,
        api.createMemoryInfo("Cuda", OrtCApi.ORT_ARENA_ALLOCATOR, deviceId, OrtCApi.ORT_MEM_TYPE_DEFAULT),
        ExecutionDevice.CUDA);
  }

  MemorySegment handle() {
    checkState(!closed, "memory info is closed");
    return handle;
  }

  ExecutionDevice device() {
    return device;
  }

  @Override
  public void close() {
    if (!closed) {
      closed = true;
      api.releaseMemoryInfo(handle);
    }
  }
}
