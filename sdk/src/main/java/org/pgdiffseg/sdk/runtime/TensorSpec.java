package org.pgdiffseg.sdk.runtime;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import java.util.List;
import java.util.stream.Collectors;

/**
 * Name, shape and element type of one graph input or output, as the graph itself declares them. A
 * symbolic dimension (such as the batch {@code N}) is {@value #DYNAMIC}. Immutable.
 *
 * @param name the graph's name for the tensor
 * @param shape one entry per dimension; {@value #DYNAMIC} where the graph leaves the size open
 * @param elementType the element type
 */
public record TensorSpec(String name, List<Long> shape, ElementType elementType) {
  /** The size of a dimension the graph leaves open. */
  public static final long DYNAMIC = -1;

  public TensorSpec {
    checkNotNull(name, "name");
    checkNotNull(elementType, "elementType");
    shape = List.copyOf(shape);
    checkArgument(shape.stream().allMatch(d -> d >= DYNAMIC), "dimensions must be >= -1: %s", shape);
  }

  static TensorSpec of(String name, long[] dims, ElementType elementType) {
    Long[] boxed = new Long[dims.length];
    for (int i = 0; i < dims.length; i++) {
      boxed[i] = dims[i] < 0 ? DYNAMIC : dims[i];
    }
    return new TensorSpec(name, List.of(boxed), elementType);
  }

  public int rank() {
    return shape.size();
  }

  /** Size of dimension {@code axis}, or {@value #DYNAMIC}. */
  public long dim(int axis) {
    return shape.get(axis);
  }

  public boolean isDynamic(int axis) {
    return shape.get(axis) == DYNAMIC;
  }

  /** Like {@code image [N,1,16,16] float32}, with {@code N} for open dimensions. */
  @Override
  public String toString() {
    return name
        + shape.stream().map(d -> d == DYNAMIC ? "N" : Long.toString(d)).collect(Collectors.joining(",", " [", "] "))
        + elementType;
  }
}
