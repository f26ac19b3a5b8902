package org.pgdiffseg.sdk.schedule;

import static com.google.common.base.Preconditions.checkState;

/**
 * What the multistep solvers on the sigma grid (DPM-Solver, UniPC) share: the run's sigmas, the history of
 * converted model outputs, the step index found from the first timestep and the warm-up count of lower-order
 * steps, all reset by {@link #setTimesteps}.
 */
abstract class MultistepSolver extends RunTimesteps {
  protected final DiffusionSchedule schedule;
  private final int solverOrder;
  protected SigmaSchedule run;
  protected ModelOutputHistory history;
  protected int stepIndex;
  protected int lowerOrderNums;

  MultistepSolver(DiffusionSchedule schedule, int solverOrder) {
    this.schedule = schedule;
    this.solverOrder = solverOrder;
  }

  @Override
  public final void setTimesteps(int numInferenceSteps) {
    run = sigmaSchedule(numInferenceSteps);
    timesteps = run.timesteps();
    history = null;
    stepIndex = -1;
    lowerOrderNums = 0;
    onNewRun();
  }

  /** The run's timesteps and sigmas for {@code numInferenceSteps} steps. */
  protected abstract SigmaSchedule sigmaSchedule(int numInferenceSteps);

  /** Resets the solver's own per-run state. */
  protected void onNewRun() {
  }

  /** Locates the run's step on the first call and sizes the history; returns the number of steps. */
  protected final int beginStep(int timestep, int sampleLength) {
    int n = requireRun().length;
    if (stepIndex < 0) {
      stepIndex = run.indexOf(timestep);
    }
    checkState(stepIndex < n, "all %s steps of the run are done; call setTimesteps again", n);
    if (history == null || history.length() != sampleLength) {
      history = new ModelOutputHistory(solverOrder, sampleLength);
    }
    return n;
  }

  protected final void endStep() {
    if (lowerOrderNums < solverOrder) {
      lowerOrderNums++;
    }
    stepIndex++;
  }
}
