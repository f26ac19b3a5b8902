package org.pgdiffseg.sdk.pipeline;

import org.pgdiffseg.sdk.bundle.BundleManifest;
import org.pgdiffseg.sdk.confidence.Confidence;
import org.pgdiffseg.sdk.confidence.ConfidenceModel;
import org.pgdiffseg.sdk.confidence.ConfidenceSignals;
import org.pgdiffseg.sdk.confidence.UncertaintyMap;
import org.pgdiffseg.sdk.gating.GateDecision;

/**
 * Judges one result: its {@link Confidence} (when the bundle has a confidence model) and its uncertainty map.
 * Immutable and thread-safe.
 */
final class ResultAssessment {
  /** The confidence and uncertainty map of one image. */
  record Outcome(Confidence confidence, float[] uncertainty) {}

  private final ConfidenceModel model;   // null: the bundle has no confidence section

  private ResultAssessment(ConfidenceModel model) {
    this.model = model;
  }

  /** scoring: whether to score the confidence, where the bundle has a model for it. */
  static ResultAssessment of(BundleManifest manifest, boolean scoring) {
    return new ResultAssessment(
        !scoring || manifest.confidence() == null ? null : ConfidenceModel.of(manifest.confidence()));
  }

  /** Whether results get a confidence. */
  boolean scoresConfidence() {
    return model != null;
  }

  /** Whether judging needs the prior's coarse mask of each kept image's mirror. */
  boolean needsMirroredPrior() {
    return model != null && model.needsMirroredPrior();
  }

  /**
   * A gated image ({@code inputs} null) has no map to compare (all zero) and the gate's confidence; a segmented
   * one its signals' confidence and the disagreement of its sources.
   */
  Outcome assess(GateDecision decision, float[] probability, int height, int width, AssessmentInputs inputs,
      double maskThreshold) {
    double pSkip = decision.probability(decision.skipClass());
    if (decision.skipped() || inputs == null) {
      return new Outcome(model == null ? null : model.gated(pSkip), new float[probability.length]);
    }
    float[] coarse = ConfidenceSignals.coarseProbability(inputs.coarseLogits());
    float[] coarseUp = ConfidenceSignals.upsampleRepeat(coarse, inputs.coarseHeight(), inputs.coarseWidth(), height,
        width);
    float[] uncertainty = UncertaintyMap.of(probability, coarseUp, inputs.spread(), inputs.mirrored());
    if (model == null) {
      return new Outcome(null, uncertainty);
    }
    var signals = ConfidenceSignals.of(probability, height, width, coarse, inputs.coarseHeight(),
        inputs.coarseWidth(), inputs.firstStep(), pSkip, maskThreshold, inputs.mirrored(),
        inputs.mirroredCoarseLogits() == null ? null
            : ConfidenceSignals.coarseProbability(inputs.mirroredCoarseLogits()));
    return new Outcome(model.score(signals), uncertainty);
  }
}
