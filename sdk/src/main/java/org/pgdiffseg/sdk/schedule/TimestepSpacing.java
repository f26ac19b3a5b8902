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

  /**
   * Multistep solvers' timesteps (DPM-Solver, UniPC): n + 1 points up to {@code lastTimestep} with the last dropped.
   * {@code lastTimestep} is T, or less where DPM-Solver's lambda_min_clipped cuts the noisiest timesteps off;
   * trailing spacing then keeps diffusers' step of T / n and may give fewer than n timesteps.
   */
  int[] multistep(int n, int trainSteps, int lastTimestep, int stepsOffset) {
    checkArgument(n >= 1 && n <= trainSteps, "num_inference_steps must be in 1..%s, got %s", trainSteps, n);
    return switch (this) {
      case LINSPACE -> {
        int[] t = new int[n];
        for (int i = 0; i < n; i++) {
          t[i] = (int) Math.rint(linspaceAt(0, lastTimestep - 1, n + 1, n - i));
        }
        yield t;
      }
      case LEADING -> {
        int[] t = new int[n];
        int ratio = lastTimestep / (n + 1);
        for (int i = 0; i < n; i++) {
          t[i] = (n - i) * ratio + stepsOffset;
        }
        yield t;
      }
      case TRAILING -> {
        // np.arange(last, 0, -T / n).round() - 1: numpy's length and its fill (start + i * (second - start))
        double ratio = (double) trainSteps / n;
        int count = (int) Math.ceil(lastTimestep / ratio);
        double delta = (lastTimestep - ratio) - lastTimestep;
        int[] t = new int[count];
        for (int i = 0; i < count; i++) {
          t[i] = (int) Math.rint(lastTimestep + i * delta) - 1;
        }
        yield t;
      }
    };
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
