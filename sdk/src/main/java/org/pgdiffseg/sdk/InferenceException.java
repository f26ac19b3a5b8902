package org.pgdiffseg.sdk;

import java.util.Optional;
import java.util.OptionalInt;

/**
 * A graph call that failed or produced values that cannot be turned into a mask (NaN, Inf). When ONNX
 * Runtime reported the failure, its error code is kept.
 */
public class InferenceException extends PgDiffSegException {
  private final int ortErrorCode;

  public InferenceException(String message) {
    this(message, -1, null);
  }

  public InferenceException(String message, Throwable cause) {
    this(message, -1, cause);
  }

  public InferenceException(String message, int ortErrorCode, Throwable cause) {
    super(message, cause);
    this.ortErrorCode = ortErrorCode;
  }

  /** ONNX Runtime's numeric {@code OrtErrorCode} when it reported the failure. */
  public OptionalInt ortErrorCode() {
    return ortErrorCode < 0 ? OptionalInt.empty() : OptionalInt.of(ortErrorCode);
  }

  /** ONNX Runtime's error code as an enum, when it reported the failure. */
  public Optional<OrtErrorCode> ortError() {
    return ortErrorCode < 0 ? Optional.empty() : Optional.of(OrtErrorCode.of(ortErrorCode));
  }
}
