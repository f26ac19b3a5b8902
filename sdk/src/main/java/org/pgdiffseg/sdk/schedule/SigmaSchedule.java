package org.pgdiffseg.sdk.schedule;

/**
 * Timesteps and sigmas of the multistep solvers (DPM-Solver, UniPC) as diffusers computes them: sigma =
 * sqrt((1 - alpha_bar) / alpha_bar) in float32 at each timestep (or a Karras grid, {@link KarrasSigmas}), plus a
 * final sigma (0, or the smallest training sigma). Immutable.
 */
record SigmaSchedule(int[] timesteps, float[] sigmas) {
  /** The timestep-spaced grid; {@code lambdaMinClipped} drops the timesteps whose half log-SNR is below it. */
  static SigmaSchedule of(float[] alphasCumprod, int steps, String spacing, int stepsOffset, String finalSigmasType,
      double lambdaMinClipped) {
    int lastTimestep = alphasCumprod.length - clippedCount(alphasCumprod, lambdaMinClipped);
    if (lastTimestep < 1) {
      throw new IllegalArgumentException("lambda_min_clipped = " + lambdaMinClipped + " clips every timestep");
    }
    int[] t = TimestepSpacing.fromConfig(spacing).multistep(steps, alphasCumprod.length, lastTimestep, stepsOffset);
    for (int i = 1; i < t.length; i++) {
      // A repeated timestep makes the step size h zero and diffusers' update NaN: refuse it up front.
      if (t[i] == t[i - 1]) {
        throw new IllegalArgumentException(steps + " steps with " + spacing + " spacing repeat timestep " + t[i]
            + " of " + alphasCumprod.length + "; multistep solvers need distinct timesteps (use fewer steps)");
      }
    }
    float[] sigmas = new float[t.length + 1];
    for (int i = 0; i < t.length; i++) {
      sigmas[i] = sigmaOf(alphasCumprod[t[i]]);
    }
    sigmas[t.length] = finalSigma(alphasCumprod, finalSigmasType);
    return new SigmaSchedule(t, sigmas);
  }

  /** A grid of given sigmas (float64, cast to float32 as diffusers does) and their timesteps, then {@code last}. */
  static SigmaSchedule of(int[] timesteps, double[] sigmas, float last) {
    // diffusers finds the first step by its timestep and takes the second match of a repeated one: it would skip
    // the first sigma and run out of sigmas before the last step (an IndexError there), so refuse it here.
    if (timesteps.length > 1 && timesteps[0] == timesteps[1]) {
      throw new IllegalArgumentException(sigmas.length + " Karras sigmas repeat the first timestep " + timesteps[0]
          + " (diffusers then starts at the second sigma and fails at the last step); use fewer steps");
    }
    float[] out = new float[sigmas.length + 1];
    for (int i = 0; i < sigmas.length; i++) {
      out[i] = (float) sigmas[i];
      // Equal neighbouring sigmas make h zero and diffusers' update NaN: refuse, as for repeated timesteps.
      if (i > 0 && out[i] == out[i - 1]) {
        throw new IllegalArgumentException(sigmas.length + " steps repeat sigma " + out[i]
            + "; multistep solvers need distinct sigmas (use fewer steps)");
      }
    }
    out[sigmas.length] = last;
    return new SigmaSchedule(timesteps, out);
  }

  /** The final sigma of final_sigmas_type on the training schedule: 0, or the sigma of timestep 0. */
  static float finalSigma(float[] alphasCumprod, String finalSigmasType) {
    return switch (finalSigmasType) {
      case "zero" -> 0f;
      case "sigma_min" -> sigmaOf(alphasCumprod[0]);
      default -> throw new IllegalArgumentException("final_sigmas_type must be zero or sigma_min, got " + finalSigmasType);
    };
  }

  /**
   * How many of the noisiest timesteps lambda_min_clipped removes: diffusers' searchsorted of the value among the
   * ascending half log-SNRs, each log(sqrt(alpha_bar)) - log(sqrt(1 - alpha_bar)) in float32, compared in float32.
   */
  private static int clippedCount(float[] alphasCumprod, double lambdaMinClipped) {
    float min = (float) lambdaMinClipped;
    int count = 0;
    for (float a : alphasCumprod) {
      float lambda = (float) Math.log((float) Math.sqrt(a)) - (float) Math.log((float) Math.sqrt(1f - a));
      if (lambda < min) {
        count++;
      }
    }
    return count;
  }

  /** The float32 training sigmas, one per timestep. */
  static float[] trainingSigmas(float[] alphasCumprod) {
    float[] out = new float[alphasCumprod.length];
    for (int i = 0; i < out.length; i++) {
      out[i] = sigmaOf(alphasCumprod[i]);
    }
    return out;
  }

  private static float sigmaOf(float alphaCumprod) {
    return (float) Math.sqrt((1f - alphaCumprod) / alphaCumprod);
  }

  /** alpha_t = 1 / sqrt(sigma^2 + 1). */
  static float alpha(float sigma) {
    return 1f / (float) Math.sqrt(sigma * sigma + 1f);
  }

  /** lambda_t = log(alpha_t) - log(sigma_t), the half log-SNR; +inf at sigma 0. */
  static float lambda(float sigma) {
    float a = alpha(sigma);
    return (float) Math.log(a) - (float) Math.log(sigma * a);
  }

  /** Index of {@code timestep} in the run, as diffusers' index_for_timestep (second match if repeated). */
  int indexOf(int timestep) {
    int first = -1;
    for (int i = 0; i < timesteps.length; i++) {
      if (timesteps[i] == timestep) {
        if (first >= 0) {
          return i;
        }
        first = i;
      }
    }
    return first < 0 ? timesteps.length - 1 : first;
  }
}
