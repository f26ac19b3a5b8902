package org.pgdiffseg.sdk.bundle;

import java.util.List;
import org.pgdiffseg.sdk.schedule.DiffusionSchedule;

/**
 * The ranges a bundle's numbers must lie in (docs/bundle-format.md, "Value ranges"): values that parse but cannot
 * work are refused when the bundle is opened, naming the key, instead of failing on every image or exhausting
 * memory later. The same bounds hold for options set through the API.
 */
public final class ManifestLimits {
  public static final int MAX_TRAIN_TIMESTEPS = DiffusionSchedule.MAX_TRAIN_TIMESTEPS;
  public static final int MIN_TRAIN_TIMESTEPS = DiffusionSchedule.MIN_TRAIN_TIMESTEPS;
  /** Run as one batch of K samples; the SDK's bindings are sized for it. */
  public static final int MAX_ENSEMBLE = 64;
  /** Model input height or width: one 4096 x 4096 float plane is 64 MiB per sample. */
  public static final int MAX_IMAGE_SIDE = 4096;
  /** A declared tensor dimension: a Java array is indexed by an int. */
  public static final int MAX_DIMENSION = Integer.MAX_VALUE;
  /** ONNX opsets are numbered from 1 and are in the twenties; 100 leaves room without accepting garbage. */
  public static final int MAX_OPSET = 100;
  /** Decoded pixels are 8- or 16-bit gray. */
  public static final double MAX_INTENSITY = 65_535;
  /** Bound of the normalisation and mask value ranges: models take values of order one. */
  public static final double MAX_VALUE_RANGE = 1_000;
  /** diffusers' beta schedules that the SDK computes. */
  public static final List<String> BETA_SCHEDULES = List.of("linear", "scaled_linear", "squaredcos_cap_v2");

  private ManifestLimits() {}
}
