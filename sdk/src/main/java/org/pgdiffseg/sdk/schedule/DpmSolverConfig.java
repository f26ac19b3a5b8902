package org.pgdiffseg.sdk.schedule;

import static com.google.common.base.Preconditions.checkArgument;

import java.util.Set;

/** DPMSolverMultistepScheduler options; defaults equal diffusers' and names map 1:1 to its config keys. */
public record DpmSolverConfig(int solverOrder, String algorithmType, String solverType, boolean lowerOrderFinal,
                              boolean eulerAtFinal, String finalSigmasType, String timestepSpacing, int stepsOffset) {
  static final Set<String> ALGORITHMS = Set.of("dpmsolver", "dpmsolver++", "sde-dpmsolver++");

  public DpmSolverConfig {
    checkArgument(solverOrder >= 1 && solverOrder <= 3, "solver_order must be 1, 2 or 3, got %s", solverOrder);
    checkArgument(ALGORITHMS.contains(algorithmType), "algorithm_type must be one of %s, got %s", ALGORITHMS, algorithmType);
    checkArgument(!(algorithmType.startsWith("sde") && solverOrder == 3),
        "sde-dpmsolver++ supports solver_order 1 and 2 (diffusers has no third-order SDE update)");
    checkArgument(!(algorithmType.equals("dpmsolver") && finalSigmasType.equals("zero")),
        "final_sigmas_type zero is not supported for dpmsolver (noise prediction divides by sigma); use sigma_min");
    checkArgument(Set.of("midpoint", "heun").contains(solverType), "solver_type must be midpoint or heun, got %s", solverType);
    checkArgument(Set.of("zero", "sigma_min").contains(finalSigmasType), "final_sigmas_type must be zero or sigma_min");
    TimestepSpacing.fromConfig(timestepSpacing);
  }

  public static DpmSolverConfig defaults() {
    return new DpmSolverConfig(2, "dpmsolver++", "midpoint", true, false, "zero", "linspace", 0);
  }

  public DpmSolverConfig withSolverOrder(int value) {
    return new DpmSolverConfig(value, algorithmType, solverType, lowerOrderFinal, eulerAtFinal, finalSigmasType,
        timestepSpacing, stepsOffset);
  }

  public DpmSolverConfig withAlgorithmType(String value) {
    return new DpmSolverConfig(solverOrder, value, solverType, lowerOrderFinal, eulerAtFinal, finalSigmasType,
        timestepSpacing, stepsOffset);
  }

  public DpmSolverConfig withSolverType(String value) {
    return new DpmSolverConfig(solverOrder, algorithmType, value, lowerOrderFinal, eulerAtFinal, finalSigmasType,
        timestepSpacing, stepsOffset);
  }

  public DpmSolverConfig withFinalSigmasType(String value) {
    return new DpmSolverConfig(solverOrder, algorithmType, solverType, lowerOrderFinal, eulerAtFinal, value,
        timestepSpacing, stepsOffset);
  }

  public DpmSolverConfig withLowerOrderFinal(boolean value) {
    return new DpmSolverConfig(solverOrder, algorithmType, solverType, value, eulerAtFinal, finalSigmasType,
        timestepSpacing, stepsOffset);
  }
}
