package org.pgdiffseg.sdk.runtime;

import java.util.List;
import java.util.Optional;

/**
 * The facts about this machine that decide whether ONNX Runtime's CUDA provider can run. An interface so the
 * sentence {@link CudaRequirements} builds from them can be tested for machines this one is not.
 */
interface CudaHost {
  /** The file name of the jar ONNX Runtime's classes came from, e.g. {@code onnxruntime_gpu-1.29.0.jar}. */
  String ortJar();

  /** Whether that jar (or the host's {@code onnxruntime.native.path}) carries the CUDA provider library. */
  boolean hasCudaProvider();

  /** The loaded NVIDIA kernel driver's version ("" where unreadable), or empty when no driver is loaded. */
  Optional<String> driverVersion();

  /** Whether the driver lists a GPU ({@code /dev/nvidia0} or an entry under {@code /proc/driver/nvidia/gpus}). */
  boolean gpuListed();

  /** Whether the dynamic loader can load {@code library} (a soname such as {@code libcudart.so.12}). */
  boolean canLoad(String library);

  /**
   * Files of the same library under any version that the loader's cache, {@code LD_LIBRARY_PATH} or a CUDA
   * toolkit folder holds, as paths (e.g. {@code /usr/local/cuda-11.8/lib64/libcudart.so.11.0}).
   */
  List<String> versionsOf(String library);
}
