package org.pgdiffseg.sdk.schedule;

import static com.google.common.base.Preconditions.checkState;

/** The timesteps of the current run, shared by every scheduler: set by setTimesteps, read by the rest. */
abstract class RunTimesteps implements Scheduler {
  /** Null until {@link #setTimesteps}; descending. */
  protected int[] timesteps;

  @Override
  public final int[] timesteps() {
    return requireRun().clone();
  }

  @Override
  public final int numInferenceSteps() {
    return requireRun().length;
  }

  protected final int[] requireRun() {
    checkState(timesteps != null, "call setTimesteps before using the scheduler");
    return timesteps;
  }
}
