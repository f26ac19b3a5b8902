package org.pgdiffseg.sdk.runtime;

import ai.onnxruntime.OnnxJavaType;

/** Element type of a graph input or output, as the bundle manifest names it. */
public enum ElementType {
  FLOAT32("float32"),
  FLOAT64("float64"),
  FLOAT16("float16"),
  BFLOAT16("bfloat16"),
  INT8("int8"),
  UINT8("uint8"),
  INT16("int16"),
  INT32("int32"),
  INT64("int64"),
  BOOL("bool"),
  STRING("string"),
  UNKNOWN("unknown");

  private final String manifestName;

  ElementType(String manifestName) {
    this.manifestName = manifestName;
  }

  /** The dtype string a bundle manifest uses, e.g. {@code float32}. */
  public String manifestName() {
    return manifestName;
  }

  static ElementType of(OnnxJavaType type) {
    return switch (type) {
      case FLOAT -> FLOAT32;
      case DOUBLE -> FLOAT64;
      case FLOAT16 -> FLOAT16;
      case BFLOAT16 -> BFLOAT16;
      case INT8 -> INT8;
      case UINT8 -> UINT8;
      case INT16 -> INT16;
      case INT32 -> INT32;
      case INT64 -> INT64;
      case BOOL -> BOOL;
      case STRING -> STRING;
      default -> UNKNOWN;
    };
  }

  @Override
  public String toString() {
    return manifestName;
  }
}
