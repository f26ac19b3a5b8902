package org.pgdiffseg.sdk.runtime;

import static com.google.common.base.Preconditions.checkState;

import java.lang.foreign.MemorySegment;
import org.pgdiffseg.sdk.InferenceException;

/**
 * Owns one {@code OrtAllocator} made by {@code CreateAllocator} for a session and a memory info; used for
 * the arrays ONNX Runtime hands back from an I/O binding. Idempotent close; closed before its session.
 */
final class SessionAllocator implements AutoCloseable {
  private final OrtCApi api;
  private final MemorySegment handle;
  private boolean closed;

  SessionAllocator(OrtCApi api, MemorySegment session, MemoryInfo memoryInfo) throws InferenceException {
    this.api = api;
    this.handle = api.createAllocator(session, memoryInfo.handle());
  }

  MemorySegment handle() {
    checkState(!closed, "allocator is closed");
    return handle;
  }

  void free(MemorySegment block) throws InferenceException {
    api.allocatorFree(handle(), block);
  }

  @Override
  public void close() {
    if (!closed) {
      closed = true;
      api.releaseAllocator(handle);
    }
  }
}
