package org.pgdiffseg.sdk;

/**
 * The graphs cannot be loaded on the device the caller insisted on ({@code DeviceChoice.CUDA}): the message is
 * one sentence naming what this machine lacks (the CUDA provider in ONNX Runtime's jar, the NVIDIA driver, the
 * CUDA or cuDNN libraries) and what was found instead. A {@link BundleException} because it is raised where a
 * bundle's graphs are loaded, so existing callers that handle load failures handle it too.
 */
public class DeviceUnavailableException extends BundleException {
  public DeviceUnavailableException(String message) {
    super(message);
  }

  public DeviceUnavailableException(String message, Throwable cause) {
    super(message, cause);
  }
}
