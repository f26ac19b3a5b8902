package org.pgdiffseg.sdk.runtime;

/** Where a graph runs: ONNX Runtime's CPU execution provider or its CUDA execution provider. */
public enum ExecutionDevice {
  CPU,
  CUDA
}
