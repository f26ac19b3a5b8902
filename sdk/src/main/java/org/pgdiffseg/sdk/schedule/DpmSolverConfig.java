package org.pgdiffseg.sdk.schedule;

import static com.google.common.base.Preconditions.checkArgument;

import java.util.Set;

/**
 * DPMSolverMultistepScheduler options; defaults equal diffusers' and names map 1:1 to its config keys.
 * {@code lambdaMinClipped} is -inf for none; with {@code useKarrasSigmas} the timestep spacing, steps offset and
 * lambda clipping play no part (diffusers derives the timesteps from the Karras sigmas).
 */
public record DpmSolverConfig(int solverOrder, String algorithmType, String solverType, boolean lowerOrderFinal,
                              boolean eulerAtFinal, String finalSigmasType, String timestepSpacing, int stepsOffset,
                              boolean useKarrasSigmas, double lambdaMinClipped) implements SchedulerConfig {
  static final Set<String> ALGORITHMS = Set.of("dpmsolver", "dpmsolver++", "sde-dpmsolver", "sde-dpmsolver++");

  public DpmSolverConfig {
    checkArgument(solverOrder >= 1 && solverOrder <= 3, "solver_order must be 1, 2 or 3, got %s", solverOrder);
    checkArgument(ALGORITHMS.contains(algorithmType), "algorithm_type must be one of %s, got %s", ALGORITHMS, algorithmType);
    checkArgument(!(algorithmType.equals("sde-dpmsolver") && solverOrder == 3),
        "algorithm_type sde-dpmsolver supports solver_order 1 and 2, got 3 (diffusers has no third-order update for it)");
    checkArgument(!(!dataPrediction(algorithmType) && finalSigmasType.equals("zero")),
        "final_sigmas_type zero is not supported for %s (noise prediction divides by sigma); use sigma_min", algorithmType);
    checkArgument(Set.of("midpoint", "heun").contains(solverType), "solver_type must be midpoint or heun, got %s", solverType);
    checkArgument(Set.of("zero", "sigma_min").contains(finalSigmasType), "final_sigmas_type must be zero or sigma_min");
    checkArgument(!Double.isNaN(lambdaMinClipped), "lambda_min_clipped must be a number or -inf, got NaN");
    TimestepSpacing.fromConfig(timestepSpacing);
  }

  /** The options before Karras sigmas and lambda clipping (neither used). */
  public DpmSolverConfig(int solverOrder, String algorithmType, String solverType, boolean lowerOrderFinal,
      boolean eulerAtFinal, String finalSigmasType, String timestepSpacing, int stepsOffset) {
    this(solverOrder, algorithmType, solverType, lowerOrderFinal, eulerAtFinal, finalSigmasType, timestepSpacing,
        stepsOffset, false, Double.NEGATIVE_INFINITY);
  }

  public static DpmSolverConfig defaults() {
    return new DpmSolverConfig(2, "dpmsolver++", "midpoint", true, false, "zero", "linspace", 0);
  }

  /** DPM-Solver++ variants solve for the data (x0) prediction, DPM-Solver ones for the noise. */
  static boolean dataPrediction(String algorithmType) {
    return algorithmType.endsWith("++");
  }

  public boolean stochastic() {
    return algorithmType.startsWith("sde");
  }

  public DpmSolverConfig withSolverOrder(int value) {
    return new DpmSolverConfig(value, algorithmType, solverType, lowerOrderFinal, eulerAtFinal, finalSigmasType,
        timestepSpacing, stepsOffset, useKarrasSigmas, lambdaMinClipped);
  }

  public DpmSolverConfig withAlgorithmType(String value) {
    return new DpmSolverConfig(solverOrder, value, solverType, lowerOrderFinal, eulerAtFinal, finalSigmasType,
        timestepSpacing, stepsOffset, useKarrasSigmas, lambdaMinClipped);
  }

  public DpmSolverConfig withSolverType(String value) {
    return new DpmSolverConfig(solverOrder, algorithmType, value, lowerOrderFinal, eulerAtFinal, finalSigmasType,
        timestepSpacing, stepsOffset, useKarrasSigmas, lambdaMinClipped);
  }

  public DpmSolverConfig withFinalSigmasType(String value) {
    return new DpmSolverConfig(solverOrder, algorithmType, solverType, lowerOrderFinal, eulerAtFinal, value,
        timestepSpacing, stepsOffset, useKarrasSigmas, lambdaMinClipped);
  }

  public DpmSolverConfig withLowerOrderFinal(boolean value) {
    return new DpmSolverConfig(solverOrder, algorithmType, solverType, value, eulerAtFinal, finalSigmasType,
        timestepSpacing, stepsOffset, useKarrasSigmas, lambdaMinClipped);
  }

  public DpmSolverConfig withKarrasSigmas(boolean value) {
    return new DpmSolverConfig(solverOrder, algorithmType, solverType, lowerOrderFinal, eulerAtFinal, finalSigmasType,
        timestepSpacing, stepsOffset, value, lambdaMinClipped);
  }

  public DpmSolverConfig withLambdaMinClipped(double value) {
    return new DpmSolverConfig(solverOrder, algorithmType, solverType, lowerOrderFinal, eulerAtFinal, finalSigmasType,
        timestepSpacing, stepsOffset, useKarrasSigmas, value);
  }
}
