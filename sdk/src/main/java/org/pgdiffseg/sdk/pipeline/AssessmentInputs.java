package org.pgdiffseg.sdk.pipeline;

/**
 * What the sampling loop leaves for judging one kept image's mask (docs/confidence.md): the prior's coarse mask
 * logits, the first step's x0 probability, for an ensemble the per-pixel spread of its samples (null for K = 1),
 * with flip averaging the mirror's probability mirrored back (null without), and the coarse mask logits of the
 * mirrored image, mirrored back (null unless flip averaging made them or the confidence model asked for them).
 * Filled by {@link DenoisingWorker}, read by {@link ResultAssessment}.
 */
record AssessmentInputs(float[] coarseLogits, int coarseHeight, int coarseWidth, float[] firstStep, float[] spread,
    float[] mirrored, float[] mirroredCoarseLogits) {}
