package org.pgdiffseg.sdk.schedule;

/**
 * Timesteps and sigmas of the multistep solvers (DPM-Solver, UniPC) as diffusers computes them: sigma =
 * sqrt((1 - alpha_bar) / alpha_bar) in float32 at each timestep, plus a final sigma (0, or the smallest
 * training sigma). Immutable.
 */
record SigmaSchedule(int[] timesteps, float[] sigmas) {
  static SigmaSchedule of(float[] alphasCumprod, int steps, String spacing, int stepsOffset, String finalSigmasType) {
    int[] t = TimestepSpacing.fromConfig(spacing).multistep(steps, alphasCumprod.length, stepsOffset);
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
    sigmas[t.length] = switch (finalSigmasType) {
      case "zero" -> 0f;
      case "sigma_min" -> sigmaOf(alphasCumprod[0]);
      default -> throw new IllegalArgumentException("final_sigmas_type must be zero or sigma_min, got " + finalSigmasType);
    };
    return new SigmaSchedule(t, sigmas);
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
