package org.pgdiffseg.sdk.runtime;

import java.util.Locale;

/**
 * Where the caller asks the graphs to run. {@link #AUTO} takes CUDA when it can run and CPU otherwise, saying
 * why once; {@link #CUDA} refuses to start without CUDA, so a wrong installation cannot pass for a slow GPU.
 */
public enum DeviceChoice {
  /** ONNX Runtime's CPU execution provider, always. */
  CPU,
  /** ONNX Runtime's CUDA execution provider, or a {@link org.pgdiffseg.sdk.DeviceUnavailableException} at load. */
  CUDA,
  /** CUDA where it can run, else CPU with the reason logged once. */
  AUTO;

  /** The choice named {@code cpu}, {@code cuda} or {@code auto} (any case), as command lines spell it. */
  public static DeviceChoice parse(String name) {
    String lower = name == null ? "" : name.trim().toLowerCase(Locale.ROOT);
    return switch (lower) {
      case "cpu" -> CPU;
      case "cuda" -> CUDA;
      case "auto" -> AUTO;
      default -> throw new IllegalArgumentException("device must be cpu, cuda or auto, got '" + name + "'");
    };
  }

  /** The lower-case name {@link #parse} accepts. */
  public String cliName() {
    return name().toLowerCase(Locale.ROOT);
  }
}
