package org.pgdiffseg.sdk.runtime;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkState;
import static java.lang.foreign.ValueLayout.JAVA_FLOAT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Arrays;
import org.pgdiffseg.sdk.InferenceException;

/**
 * A float32 tensor in host memory that this object owns: an off-heap buffer and the {@code OrtValue}
 * that ONNX Runtime sees over it, so the buffer can be bound once and refilled in place. Copies in and
 * out allocate nothing. Not thread-safe; idempotent close releases the value, then the buffer.
 */
final class NativeTensor implements AutoCloseable {
  private final OrtCApi api;
  private final Arena arena;
  private final MemorySegment data;
  private final MemorySegment value;
  private final long[] shape;
  private final int elementCount;
  private boolean closed;

  private NativeTensor(OrtCApi api, Arena arena, MemorySegment data, MemorySegment value, long[] shape, int count) {
    this.api = api;
    this.arena = arena;
    this.data = data;
    this.value = value;
    this.shape = shape;
    this.elementCount = count;
  }

  /** A zero-filled tensor of {@code shape} (every dimension fixed). */
  static NativeTensor allocate(OrtCApi api, MemoryInfo hostMemory, long... shape) throws InferenceException {
    checkArgument(hostMemory.device() == ExecutionDevice.CPU, "a NativeTensor lives in host memory");
    long count = 1;
    for (long dim : shape) {
      checkArgument(dim > 0, "every dimension must be fixed and positive: %s", Arrays.toString(shape));
      count = Math.multiplyExact(count, dim);
    }
    checkArgument(count <= Integer.MAX_VALUE, "tensor too large for a float[]: %s", Arrays.toString(shape));
    Arena arena = Arena.ofShared();
    try {
      MemorySegment data = arena.allocate(JAVA_FLOAT, count);
      MemorySegment dims = arena.allocateFrom(JAVA_LONG, shape);
      MemorySegment value = api.createFloatTensor(hostMemory.handle(), data, dims, shape.length);
      return new NativeTensor(api, arena, data, value, shape.clone(), (int) count);
    } catch (InferenceException | RuntimeException e) {
      arena.close();
      throw e;
    }
  }

  /** The {@code OrtValue*} to bind. */
  MemorySegment value() {
    checkState(!closed, "tensor is closed");
    return value;
  }

  int elementCount() {
    return elementCount;
  }

  long[] shape() {
    return shape.clone();
  }

  void write(float[] source) {
    checkState(!closed, "tensor is closed");
    if (source.length != elementCount) {
      throw new IllegalArgumentException(
          "expected " + elementCount + " values for shape " + Arrays.toString(shape) + ", got " + source.length);
    }
    MemorySegment.copy(source, 0, data, JAVA_FLOAT, 0, elementCount);
  }

  void read(float[] target) {
    checkState(!closed, "tensor is closed");
    if (target.length != elementCount) {
      throw new IllegalArgumentException(
          "expected room for " + elementCount + " values of shape " + Arrays.toString(shape) + ", got " + target.length);
    }
    MemorySegment.copy(data, JAVA_FLOAT, 0, target, 0, elementCount);
  }

  @Override
  public void close() {
    if (!closed) {
      closed = true;
      api.releaseValue(value);
      arena.close();
    }
  }
}
