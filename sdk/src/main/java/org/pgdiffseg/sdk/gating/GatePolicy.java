package org.pgdiffseg.sdk.gating;

import static com.google.common.base.Preconditions.checkArgument;

import java.util.List;

/**
 * When to skip diffusion: the prior graph's class probabilities say "no tumor" with at least
 * {@code threshold}. A disabled gate always runs diffusion. Immutable and thread-safe.
 */
public record GatePolicy(List<String> classes, int skipClass, double threshold, boolean enabled) {
  public GatePolicy {
    classes = List.copyOf(classes);
    checkArgument(skipClass >= 0 && skipClass < classes.size(), "skip class %s out of %s", skipClass, classes);
    checkArgument(threshold >= 0 && threshold <= 1, "gate threshold must be in [0, 1], got %s", threshold);
  }

  public GatePolicy withThreshold(double newThreshold) {
    return new GatePolicy(classes, skipClass, newThreshold, enabled);
  }

  public GatePolicy withEnabled(boolean on) {
    return new GatePolicy(classes, skipClass, threshold, on);
  }

  /** Softmax of one row of class logits, and the decision it leads to. */
  public GateDecision decide(float[] logits, int row) {
    int k = classes.size();
    double max = Double.NEGATIVE_INFINITY;
    for (int i = 0; i < k; i++) {
      max = Math.max(max, logits[row * k + i]);
    }
    double[] p = new double[k];
    double sum = 0;
    for (int i = 0; i < k; i++) {
      p[i] = Math.exp(logits[row * k + i] - max);
      sum += p[i];
    }
    Double[] probabilities = new Double[k];
    for (int i = 0; i < k; i++) {
      probabilities[i] = p[i] / sum;
    }
    boolean skip = enabled && probabilities[skipClass] >= threshold;
    return new GateDecision(classes, List.of(probabilities), classes.get(skipClass), threshold, enabled, skip);
  }
}
