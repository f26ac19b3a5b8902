package org.pgdiffseg.sdk;

/**
 * ONNX Runtime's {@code OrtErrorCode} (onnxruntime_c_api.h), in its order: what a failed ONNX Runtime call
 * reported. {@link #UNKNOWN} stands for a code this SDK does not know (a newer ONNX Runtime).
 */
public enum OrtErrorCode {
  OK, FAIL, INVALID_ARGUMENT, NO_SUCHFILE, NO_MODEL, ENGINE_ERROR, RUNTIME_EXCEPTION, INVALID_PROTOBUF,
  MODEL_LOADED, NOT_IMPLEMENTED, INVALID_GRAPH, EP_FAIL, MODEL_LOAD_CANCELED, MODEL_REQUIRES_COMPILATION, NOT_FOUND,
  UNKNOWN;

  /** The enum for ONNX Runtime's numeric code. */
  public static OrtErrorCode of(int code) {
    OrtErrorCode[] all = values();
    return code >= 0 && code < all.length - 1 ? all[code] : UNKNOWN;
  }
}
