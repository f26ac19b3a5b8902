package org.pgdiffseg.sdk.confidence;

import static com.google.common.base.Preconditions.checkArgument;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * How far to trust one image's result: for a segmented image, the bundle's estimate that its mask has Dice {@literal >=} 0.5;
 * for a gated image, the gate's probability of its skip class (how sure it is that there is no lesion).
 *
 * @param value in [0, 1]
 * @param review true when {@code value} is below the bundle's {@code confidence.review_threshold}: a person should
 *     look at this mask
 * @param signals the signals the value was computed from, by name, in the bundle's order (empty when gated)
 */
public record Confidence(double value, boolean review, Map<String, Double> signals) {
  public Confidence {
    checkArgument(value >= 0 && value <= 1, "confidence must be in [0, 1], got %s", value);
    signals = Collections.unmodifiableMap(new LinkedHashMap<>(signals));
  }
}
