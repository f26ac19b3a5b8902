package org.pgdiffseg.sdk.confidence;

import static com.google.common.base.Preconditions.checkArgument;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.pgdiffseg.sdk.bundle.BundleManifest.ConfidenceSpec;

/**
 * A bundle's confidence model ({@code bundle.json}'s {@code confidence} section): the logistic function of a
 * weighted sum of named signals. Immutable and thread-safe.
 */
public final class ConfidenceModel {
  private final List<String> signals;
  private final double[] coefficients;
  private final double intercept;
  private final double reviewThreshold;
  private final double gatePrecision;

  private ConfidenceModel(List<String> signals, double[] coefficients, double intercept, double reviewThreshold,
      double gatePrecision) {
    this.signals = List.copyOf(signals);
    this.coefficients = coefficients;
    this.intercept = intercept;
    this.reviewThreshold = reviewThreshold;
    this.gatePrecision = gatePrecision;
  }

  /** The model of a parsed (validated) section. */
  public static ConfidenceModel of(ConfidenceSpec spec) {
    return new ConfidenceModel(spec.signals(), spec.coefficients().stream().mapToDouble(Double::doubleValue).toArray(),
        spec.intercept(), spec.reviewThreshold(), spec.gatePrecision() == null ? 1.0 : spec.gatePrecision());
  }

  public List<String> signals() {
    return signals;
  }

  public double reviewThreshold() {
    return reviewThreshold;
  }

  /** Whether the model needs the prior's coarse mask of the mirrored image (one more prior call per kept image). */
  public boolean needsMirroredPrior() {
    return signals.contains(ConfidenceSignals.MIRROR_PRIOR_AGREEMENT);
  }

  /** The confidence of a segmented image from its signals (every signal the model names must be there). */
  public Confidence score(Map<String, Double> available) {
    double z = intercept;
    Map<String, Double> used = new LinkedHashMap<>();
    for (int i = 0; i < signals.size(); i++) {
      Double v = available.get(signals.get(i));
      checkArgument(v != null, "signal %s is not available, have %s", signals.get(i), available.keySet());
      z += coefficients[i] * v;
      used.put(signals.get(i), v);
    }
    double value = 1.0 / (1.0 + Math.exp(-z));
    return new Confidence(value, value < reviewThreshold, used);
  }

  /**
   * The confidence of a gated image: how sure the gate is that there is no lesion, its P(skip) times the share of
   * gated images that had none where the model was fitted ({@code gate_precision}, 1 where the section has none).
   */
  public Confidence gated(double pSkip) {
    double value = gatePrecision * Math.min(1.0, Math.max(0.0, pSkip));
    return new Confidence(value, value < reviewThreshold, Map.of());
  }
}
