package org.pgdiffseg.sdk.runtime;

import static com.google.common.base.Preconditions.checkState;

import java.lang.foreign.MemorySegment;

/**
 * Owns one {@code OrtValue*} that ONNX Runtime allocated (an output fetched from an I/O binding, which
 * may live in device memory). Idempotent close releases it.
 */
final class OrtValueRef implements AutoCloseable {
  private final OrtCApi api;
  private final MemorySegment handle;
  private boolean closed;

  OrtValueRef(OrtCApi api, MemorySegment handle) {
    this.api = api;
    this.handle = handle;
  }

  MemorySegment handle() {
    checkState(!closed, "value is closed");
    return handle;
  }

  @Override
  public void close() {
    if (!closed) {
      closed = true;
      api.releaseValue(handle);
    }
  }
}
