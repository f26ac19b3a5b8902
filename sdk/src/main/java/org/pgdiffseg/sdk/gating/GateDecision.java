package org.pgdiffseg.sdk.gating;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What the gate saw and decided for one image: class probabilities in the bundle's class order, and
 * whether diffusion was skipped.
 */
public record GateDecision(
    List<String> classes, List<Double> probabilities, String skipClass, double threshold, boolean enabled,
    boolean skipped) {
  public GateDecision {
    classes = List.copyOf(classes);
    probabilities = List.copyOf(probabilities);
  }

  /** Probability of the named class. */
  public double probability(String className) {
    int i = classes.indexOf(className);
    if (i < 0) {
      throw new IllegalArgumentException("unknown class '" + className + "', expected one of " + classes);
    }
    return probabilities.get(i);
  }

  /** Class name to probability, in class order. */
  public Map<String, Double> asMap() {
    Map<String, Double> map = new LinkedHashMap<>();
    for (int i = 0; i < classes.size(); i++) {
      map.put(classes.get(i), probabilities.get(i));
    }
    return map;
  }
}
