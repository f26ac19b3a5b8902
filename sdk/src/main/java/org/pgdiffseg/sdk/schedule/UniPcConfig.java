package org.pgdiffseg.sdk.schedule;

import static com.google.common.base.Preconditions.checkArgument;

import java.util.Set;

/**
 * UniPCMultistepScheduler options; defaults equal diffusers' and names map 1:1 to its config keys.
 * {@code disableCorrector} lists step indices whose corrector is skipped; {@link #correctorOff()} skips all.
 * {@code sigmaMin} and {@code sigmaMax} bound the Karras sigmas (null: the training schedule's ends) and, as in
 * diffusers, matter only with {@code useKarrasSigmas}, which also makes the timestep spacing and offset unused.
 */
public record UniPcConfig(int solverOrder, String solverType, boolean lowerOrderFinal, Set<Integer> disableCorrector,
                          String finalSigmasType, String timestepSpacing, int stepsOffset, boolean useKarrasSigmas,
                          Double sigmaMin, Double sigmaMax) implements SchedulerConfig {
  public UniPcConfig {
    checkArgument(solverOrder >= 1 && solverOrder <= 3, "solver_order must be 1, 2 or 3, got %s", solverOrder);
    checkArgument(Set.of("bh1", "bh2").contains(solverType), "solver_type must be bh1 or bh2, got %s", solverType);
    checkArgument(Set.of("zero", "sigma_min").contains(finalSigmasType), "final_sigmas_type must be zero or sigma_min");
    checkArgument(sigmaMin == null || sigmaMin > 0, "sigma_min must be positive, got %s", sigmaMin);
    checkArgument(sigmaMax == null || sigmaMax > 0, "sigma_max must be positive, got %s", sigmaMax);
    TimestepSpacing.fromConfig(timestepSpacing);
    disableCorrector = Set.copyOf(disableCorrector);
  }

  /** The options before Karras sigmas (not used). */
  public UniPcConfig(int solverOrder, String solverType, boolean lowerOrderFinal, Set<Integer> disableCorrector,
      String finalSigmasType, String timestepSpacing, int stepsOffset) {
    this(solverOrder, solverType, lowerOrderFinal, disableCorrector, finalSigmasType, timestepSpacing, stepsOffset,
        false, null, null);
  }

  public static UniPcConfig defaults() {
    return new UniPcConfig(2, "bh2", true, Set.of(), "zero", "linspace", 0);
  }

  /** The corrector disabled at every step (UniP alone). */
  public UniPcConfig correctorOff() {
    return new UniPcConfig(solverOrder, solverType, lowerOrderFinal, CorrectorOff.ALL, finalSigmasType,
        timestepSpacing, stepsOffset, useKarrasSigmas, sigmaMin, sigmaMax);
  }

  public boolean correctorDisabledAt(int stepIndex) {
    return disableCorrector.contains(stepIndex) || disableCorrector.contains(CorrectorOff.EVERY_STEP);
  }

  public UniPcConfig withSolverOrder(int value) {
    return new UniPcConfig(value, solverType, lowerOrderFinal, disableCorrector, finalSigmasType, timestepSpacing, stepsOffset,
        useKarrasSigmas, sigmaMin, sigmaMax);
  }

  public UniPcConfig withSolverType(String value) {
    return new UniPcConfig(solverOrder, value, lowerOrderFinal, disableCorrector, finalSigmasType, timestepSpacing, stepsOffset,
        useKarrasSigmas, sigmaMin, sigmaMax);
  }

  public UniPcConfig withFinalSigmasType(String value) {
    return new UniPcConfig(solverOrder, solverType, lowerOrderFinal, disableCorrector, value, timestepSpacing, stepsOffset,
        useKarrasSigmas, sigmaMin, sigmaMax);
  }

  public UniPcConfig withLowerOrderFinal(boolean value) {
    return new UniPcConfig(solverOrder, solverType, value, disableCorrector, finalSigmasType, timestepSpacing, stepsOffset,
        useKarrasSigmas, sigmaMin, sigmaMax);
  }

  public UniPcConfig withKarrasSigmas(boolean value) {
    return new UniPcConfig(solverOrder, solverType, lowerOrderFinal, disableCorrector, finalSigmasType, timestepSpacing,
        stepsOffset, value, sigmaMin, sigmaMax);
  }

  /** Marker in {@code disableCorrector} meaning every step. */
  static final class CorrectorOff {
    static final int EVERY_STEP = -1;
    static final Set<Integer> ALL = Set.of(EVERY_STEP);

    private CorrectorOff() {}
  }
}
