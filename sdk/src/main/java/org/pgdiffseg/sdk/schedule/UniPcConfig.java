package org.pgdiffseg.sdk.schedule;

import static com.google.common.base.Preconditions.checkArgument;

import java.util.Set;

/**
 * UniPCMultistepScheduler options; defaults equal diffusers' and names map 1:1 to its config keys.
 * {@code disableCorrector} lists step indices whose corrector is skipped; {@link #correctorOff()} skips all.
 */
public record UniPcConfig(int solverOrder, String solverType, boolean lowerOrderFinal, Set<Integer> disableCorrector,
                          String finalSigmasType, String timestepSpacing, int stepsOffset) {
  public UniPcConfig {
    checkArgument(solverOrder >= 1 && solverOrder <= 3, "solver_order must be 1, 2 or 3, got %s", solverOrder);
    checkArgument(Set.of("bh1", "bh2").contains(solverType), "solver_type must be bh1 or bh2, got %s", solverType);
    checkArgument(Set.of("zero", "sigma_min").contains(finalSigmasType), "final_sigmas_type must be zero or sigma_min");
    TimestepSpacing.fromConfig(timestepSpacing);
    disableCorrector = Set.copyOf(disableCorrector);
  }

  public static UniPcConfig defaults() {
    return new UniPcConfig(2, "bh2", true, Set.of(), "zero", "linspace", 0);
  }

  /** The corrector disabled at every step (UniP alone). */
  public UniPcConfig correctorOff() {
    return new UniPcConfig(solverOrder, solverType, lowerOrderFinal, CorrectorOff.ALL, finalSigmasType,
        timestepSpacing, stepsOffset);
  }

  public boolean correctorDisabledAt(int stepIndex) {
    return disableCorrector.contains(stepIndex) || disableCorrector.contains(CorrectorOff.EVERY_STEP);
  }

  public UniPcConfig withSolverOrder(int value) {
    return new UniPcConfig(value, solverType, lowerOrderFinal, disableCorrector, finalSigmasType, timestepSpacing, stepsOffset);
  }

  public UniPcConfig withSolverType(String value) {
    return new UniPcConfig(solverOrder, value, lowerOrderFinal, disableCorrector, finalSigmasType, timestepSpacing, stepsOffset);
  }

  public UniPcConfig withFinalSigmasType(String value) {
    return new UniPcConfig(solverOrder, solverType, lowerOrderFinal, disableCorrector, value, timestepSpacing, stepsOffset);
  }

  public UniPcConfig withLowerOrderFinal(boolean value) {
    return new UniPcConfig(solverOrder, solverType, value, disableCorrector, finalSigmasType, timestepSpacing, stepsOffset);
  }

  /** Marker in {@code disableCorrector} meaning every step. */
  static final class CorrectorOff {
    static final int EVERY_STEP = -1;
    static final Set<Integer> ALL = Set.of(EVERY_STEP);

    private CorrectorOff() {}
  }
}
