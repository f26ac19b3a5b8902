package org.pgdiffseg.sdk.runtime;

import java.util.Optional;

/**
 * Tells, cheaply, whether asking ONNX Runtime for CUDA can succeed. Needed because
 * {@code OrtEnvironment.getAvailableProviders()} lists CUDA on any machine (it reports what was compiled
 * in), and a CUDA request without a GPU costs seconds before it fails with a message that names one library.
 */
@FunctionalInterface
interface GpuProbe {
  /** One sentence naming everything CUDA lacks here, or empty when nothing is missing. */
  Optional<String> whyNoGpu();

  /**
   * Looks at ONNX Runtime's jar, the NVIDIA driver's files and the CUDA and cuDNN libraries the provider needs
   * ({@link CudaRequirements}).
   */
  static GpuProbe system() {
    return () -> CudaRequirements.whatIsMissing(new SystemCudaHost(), OrtEnvironments.get().getVersion());
  }
}
