/**
 * ONNX Runtime underneath: the process's environment started safely, sessions on CUDA or CPU, the graph
 * contract, and I/O binding through the C API (FFM) so tensors are bound once and reused every step.
 */
package org.pgdiffseg.sdk.runtime;
