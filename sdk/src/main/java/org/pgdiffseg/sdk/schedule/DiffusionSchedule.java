package org.pgdiffseg.sdk.schedule;

import static com.google.common.base.Preconditions.checkArgument;

import java.util.Set;

/**
 * The training noise schedule of a model, as its bundle declares it: T, the beta schedule and range, and
 * what the network predicts. {@link #alphasCumprod()} reproduces diffusers' float32 tensor bit for bit
 * (torch.linspace in float32, cumprod accumulated in double and stored as float32, as torch does on CPU).
 */
public record DiffusionSchedule(int numTrainTimesteps, String betaSchedule, double betaStart, double betaEnd,
                                PredictionType predictionType) {
  static final Set<String> BETA_SCHEDULES = Set.of("linear", "scaled_linear", "squaredcos_cap_v2");
  /** linspace of the betas needs a first and a last value. */
  public static final int MIN_TRAIN_TIMESTEPS = 2;
  /** The schedule is held as float arrays of this length: 100,000 is 100x any published schedule. */
  public static final int MAX_TRAIN_TIMESTEPS = 100_000;

  public DiffusionSchedule {
    checkArgument(numTrainTimesteps >= MIN_TRAIN_TIMESTEPS && numTrainTimesteps <= MAX_TRAIN_TIMESTEPS,
        "num_train_timesteps is %s, expected %s..%s", numTrainTimesteps, MIN_TRAIN_TIMESTEPS, MAX_TRAIN_TIMESTEPS);
    checkBetas(betaStart, betaEnd);
    checkArgument(BETA_SCHEDULES.contains(betaSchedule), "beta_schedule must be one of %s, got %s", BETA_SCHEDULES, betaSchedule);
    checkArgument(predictionType != null, "prediction_type is required");
  }

  /**
   * {@code 0 < beta_start <= beta_end < 1}: a beta of 0 or 1 makes alpha_cumprod 1 or 0, and the update rules divide by
   * sqrt(alpha_cumprod) and sqrt(1 - alpha_cumprod).
   */
  public static void checkBetas(double betaStart, double betaEnd) {
    checkArgument(betaStart > 0 && betaStart < 1, "beta_start is %s, expected 0 < beta_start < 1", betaStart);
    checkArgument(betaEnd > 0 && betaEnd < 1, "beta_end is %s, expected 0 < beta_end < 1", betaEnd);
    checkArgument(betaStart <= betaEnd, "beta_start is %s, expected at most beta_end (%s)", betaStart, betaEnd);
  }

  /** The same with the prediction type in diffusers' spelling ({@code epsilon}, {@code v_prediction}, {@code sample}). */
  public DiffusionSchedule(int numTrainTimesteps, String betaSchedule, double betaStart, double betaEnd,
      String predictionType) {
    this(numTrainTimesteps, betaSchedule, betaStart, betaEnd, PredictionType.of(predictionType));
  }

  /** PGDiffSeg's schedule: linear betas 1e-4 to 2e-2 over T = 1000, epsilon prediction (DDPM). */
  public static DiffusionSchedule pgdiffseg() {
    return new DiffusionSchedule(1000, "linear", 1e-4, 2e-2, "epsilon");
  }

  /** Betas in float32, as diffusers computes them. */
  public float[] betas() {
    int n = numTrainTimesteps;
    return switch (betaSchedule) {
      case "linear" -> linspace((float) betaStart, (float) betaEnd, n);
      case "scaled_linear" -> {
        float[] b = linspace((float) Math.sqrt(betaStart), (float) Math.sqrt(betaEnd), n);
        for (int i = 0; i < n; i++) {
          b[i] = b[i] * b[i];
        }
        yield b;
      }
      default -> {   // squaredcos_cap_v2 (Nichol & Dhariwal 2021), computed in double as diffusers does
        float[] b = new float[n];
        for (int i = 0; i < n; i++) {
          double t1 = (double) i / n;
          double t2 = (double) (i + 1) / n;
          b[i] = (float) Math.min(1 - alphaBar(t2) / alphaBar(t1), 0.999);
        }
        yield b;
      }
    };
  }

  private static double alphaBar(double t) {
    double c = Math.cos((t + 0.008) / 1.008 * Math.PI / 2);
    return c * c;
  }

  /** Cumulative products of 1 - beta, float32. */
  public float[] alphasCumprod() {
    float[] betas = betas();
    float[] out = new float[betas.length];
    double acc = 1.0;
    for (int i = 0; i < betas.length; i++) {
      acc *= (1.0f - betas[i]);
      out[i] = (float) acc;
    }
    return out;
  }

  /**
   * torch.linspace for float32 on CPU: from the start for the first half, from the end for the rest, each
   * value one fused multiply-add of the float32 step (as its vectorised kernel computes it).
   */
  static float[] linspace(float start, float end, int steps) {
    float[] out = new float[steps];
    float step = (end - start) / (float) (steps - 1);
    int halfway = steps / 2;
    for (int i = 0; i < steps; i++) {
      out[i] = i < halfway ? Math.fma(step, (float) i, start) : Math.fma(-step, (float) (steps - i - 1), end);
    }
    return out;
  }
}
