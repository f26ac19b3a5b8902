package org.pgdiffseg.sdk.schedule;

import static com.google.common.base.Preconditions.checkArgument;

/** diffusers' {@code timestep_spacing} (Table 2 of Lin et al., "Common Diffusion Noise Schedules…", 2024). */
public enum TimestepSpacing {
  LEADING, TRAILING, LINSPACE;

  public static TimestepSpacing fromConfig(String name) {
    for (TimestepSpacing s : values()) {
      if (s.name().equalsIgnoreCase(name)) {
        return s;
      }
    }
    throw new IllegalArgumentException("timestep_spacing must be leading, trailing or linspace, got " + name);
  }

  /** DDPM/DDIM timesteps for {@code n} steps out of {@code trainSteps}, descending. */
  int[] singleStep(int n, int trainSteps, int stepsOffset) {
    checkArgument(n >= 1 && n <= trainSteps, "num_inference_steps must be in 1..%s, got %s", trainSteps, n);
    int[] t = new int[n];
    switch (this) {
      case LEADING -> {
        int ratio = trainSteps / n;
        for (int i = 0; i < n; i++) {
          t[i] = (n - 1 - i) * ratio + stepsOffset;
        }
      }
      case TRAILING -> {
        double ratio = (double) trainSteps / n;
        for (int i = 0; i < n; i++) {
          t[i] = (int) Math.rint(trainSteps - i * ratio) - 1;   // np.arange(T, 0, -ratio).round() - 1
        }
      }
      case LINSPACE -> {
        for (int i = 0; i < n; i++) {
          t[i] = (int) Math.rint(linspaceAt(0, trainSteps - 1, n, n - 1 - i));
        }
      }
    }
    return t;
  }

  /** Multistep solvers' timesteps: n + 1 points with the last dropped (DPM-Solver, UniPC). */
  int[] multistep(int n, int trainSteps, int stepsOffset) {
    checkArgument(n >= 1 && n <= trainSteps, "num_inference_steps must be in 1..%s, got %s", trainSteps, n);
    int[] t = new int[n];
    switch (this) {
      case LINSPACE -> {
        for (int i = 0; i < n; i++) {
          t[i] = (int) Math.rint(linspaceAt(0, trainSteps - 1, n + 1, n - i));
        }
      }
      case LEADING -> {
        int ratio = trainSteps / (n + 1);
        for (int i = 0; i < n; i++) {
          t[i] = (n - i) * ratio + stepsOffset;
        }
      }
      case TRAILING -> {
        double ratio = (double) trainSteps / n;
        for (int i = 0; i < n; i++) {
          t[i] = (int) Math.rint(trainSteps - i * ratio) - 1;
        }
      }
    }
    return t;
  }

  /** numpy.linspace(start, stop, num)[i] in double. */
  private static double linspaceAt(double start, double stop, int num, int i) {
    if (num == 1) {
      return start;
    }
    double step = (stop - start) / (num - 1);
    return i == num - 1 ? stop : start + i * step;
  }
}
