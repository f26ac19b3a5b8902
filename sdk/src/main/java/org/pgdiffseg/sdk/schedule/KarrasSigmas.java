package org.pgdiffseg.sdk.schedule;

/**
 * The noise levels of Karras et al. 2022 (eq. 5, rho = 7) as diffusers' {@code use_karras_sigmas} computes them:
 * n sigmas from sigma_max down to sigma_min in float64, each mapped back to a (fractional) training timestep by
 * interpolating log sigma between its two training neighbours (diffusers' {@code _sigma_to_t}).
 */
final class KarrasSigmas {
  private static final double RHO = 7.0;

  private KarrasSigmas() {}

  /** {@code n} sigmas, descending; sigmaMin and sigmaMax default to the training schedule's ends. */
  static double[] sigmas(int n, double sigmaMin, double sigmaMax) {
    double minInvRho = Math.pow(sigmaMin, 1 / RHO);
    double maxInvRho = Math.pow(sigmaMax, 1 / RHO);
    double[] out = new double[n];
    for (int i = 0; i < n; i++) {
      // np.linspace(0, 1, n): i * step, the last exactly 1 (a single point is 0)
      double ramp = n == 1 ? 0 : i == n - 1 ? 1 : i * (1.0 / (n - 1));
      out[i] = Math.pow(maxInvRho + ramp * (minInvRho - maxInvRho), RHO);
    }
    return out;
  }

  /**
   * The fractional training timestep of {@code sigma}: diffusers' {@code _sigma_to_t} on the float32 log training
   * sigmas (numpy's float32 log), in float64.
   */
  static double timestep(double sigma, float[] logTrainingSigmas) {
    double logSigma = Math.log(Math.max(sigma, 1e-10));
    int last = logTrainingSigmas.length - 1;
    // the last index whose log sigma is <= logSigma (argmax of the cumulative count; 0 if none), below the end
    int low = 0;
    for (int i = 0; i <= last; i++) {
      if (logSigma - logTrainingSigmas[i] >= 0) {
        low = i;
      }
    }
    low = Math.min(low, last - 1);
    double lo = logTrainingSigmas[low];
    double hi = logTrainingSigmas[low + 1];
    double w = Math.clamp((lo - logSigma) / (lo - hi), 0.0, 1.0);
    return (1 - w) * low + w * (low + 1);
  }

  /** Integer timesteps: rounded half to even (np.round), or truncated where diffusers casts without rounding. */
  static int[] timesteps(double[] sigmas, float[] trainingSigmas, boolean round) {
    float[] logs = new float[trainingSigmas.length];
    for (int i = 0; i < logs.length; i++) {
      logs[i] = (float) Math.log(trainingSigmas[i]);
    }
    int[] out = new int[sigmas.length];
    for (int i = 0; i < sigmas.length; i++) {
      double t = timestep(sigmas[i], logs);
      out[i] = (int) (round ? Math.rint(t) : t);
    }
    return out;
  }
}
