package org.pgdiffseg.sdk.runtime;

import static com.google.common.base.Preconditions.checkState;
import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.pgdiffseg.sdk.InferenceException;

/**
 * Owns one {@code OrtIoBinding} of a {@link GraphSession}: inputs and outputs bound to {@code OrtValue}s
 * ahead of a run, so a run copies nothing it does not have to. Binding a host tensor to an input that a
 * device consumes copies it to the device at bind time; an output bound to a host tensor is copied into
 * it after the run. Names are encoded once and reused, so binding and running allocate nothing on the
 * Java heap. Not thread-safe. Idempotent close; must be closed before the values bound to it and before
 * its session.
 */
final class IoBinding implements AutoCloseable {
  private final OrtCApi api;
  private final GraphSession session;
  private final MemorySegment handle;
  private final Arena names = Arena.ofShared();
  private final Map<String, MemorySegment> encodedNames = new HashMap<>();
  private boolean closed;

  IoBinding(GraphSession session) throws InferenceException {
    this.api = session.api();
    this.session = session;
    this.handle = api.createIoBinding(session.nativeSession());
  }

  void bindInput(String name, MemorySegment value) throws InferenceException {
    api.check(api.bindInput(handle(), encoded(name), value), "BindInput", name);
  }

  void bindInput(String name, NativeTensor tensor) throws InferenceException {
    bindInput(name, tensor.value());
  }

  void bindOutput(String name, NativeTensor tensor) throws InferenceException {
    api.check(api.bindOutput(handle(), encoded(name), tensor.value()), "BindOutput", name);
  }

  /** Lets ONNX Runtime allocate output {@code name} in {@code memory}; fetch it with {@link #boundOutputValues}. */
  void bindOutputToDevice(String name, MemoryInfo memory) throws InferenceException {
    api.check(api.bindOutputToDevice(handle(), encoded(name), memory.handle()), "BindOutputToDevice", name);
  }

  void synchronizeInputs() throws InferenceException {
    api.check(api.synchronizeBoundInputs(handle()), "SynchronizeBoundInputs");
  }

  void synchronizeOutputs() throws InferenceException {
    api.check(api.synchronizeBoundOutputs(handle()), "SynchronizeBoundOutputs");
  }

  /** {@code RunWithBinding} on the session, default run options. */
  void run() throws InferenceException {
    api.check(api.runWithBinding(session.nativeSession(), handle()), "RunWithBinding", session.path());
  }

  void clear() {
    api.clearBoundInputs(handle());
    api.clearBoundOutputs(handle());
  }

  /**
   * The outputs of the last run, in the order they were bound; the caller owns (and closes) each. The
   * array holding them comes from {@code allocator} and is freed here.
   */
  List<OrtValueRef> boundOutputValues(SessionAllocator allocator) throws InferenceException {
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment arrayOut = arena.allocate(ADDRESS);
      MemorySegment countOut = arena.allocate(JAVA_LONG);
      api.check(api.getBoundOutputValues(handle(), allocator.handle(), arrayOut, countOut), "GetBoundOutputValues");
      long count = countOut.get(JAVA_LONG, 0);
      MemorySegment array = arrayOut.get(ADDRESS, 0);
      if (count == 0 || array.equals(MemorySegment.NULL)) {
        return List.of();
      }
      MemorySegment values = array.reinterpret(ADDRESS.byteSize() * count);
      List<OrtValueRef> owned = new ArrayList<>((int) count);
      for (long i = 0; i < count; i++) {
        owned.add(new OrtValueRef(api, values.getAtIndex(ADDRESS, i)));
      }
      allocator.free(array);
      return List.copyOf(owned);
    }
  }

  private MemorySegment encoded(String name) {
    MemorySegment segment = encodedNames.get(name);
    if (segment == null) {
      segment = names.allocateFrom(name);
      encodedNames.put(name, segment);
    }
    return segment;
  }

  private MemorySegment handle() {
    checkState(!closed, "I/O binding is closed");
    return handle;
  }

  @Override
  public void close() {
    if (!closed) {
      closed = true;
      api.releaseIoBinding(handle);
      names.close();
    }
  }
}
