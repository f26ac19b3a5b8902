package org.pgdiffseg.sdk.schedule;

import java.util.Arrays;

/** What the denoiser graph predicts, by diffusers' {@code prediction_type} names. */
public enum PredictionType {
  EPSILON("epsilon"),
  V_PREDICTION("v_prediction"),
  SAMPLE("sample");

  private final String diffusersName;

  PredictionType(String diffusersName) {
    this.diffusersName = diffusersName;
  }

  /** The name in diffusers configs and bundle manifests. */
  public String diffusersName() {
    return diffusersName;
  }

  /** The type named {@code name} in diffusers' spelling. */
  public static PredictionType of(String name) {
    for (PredictionType t : values()) {
      if (t.diffusersName.equals(name)) {
        return t;
      }
    }
    throw new IllegalArgumentException("prediction_type must be one of "
        + Arrays.stream(values()).map(PredictionType::diffusersName).toList() + ", got " + name);
  }

  @Override
  public String toString() {
    return diffusersName;
  }
}
