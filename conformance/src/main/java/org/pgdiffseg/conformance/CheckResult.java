package org.pgdiffseg.conformance;

/**
 * One conformance check: its name, outcome, what was measured and against which tolerance. SKIPPED: what it needs
 * is absent (no GPU, no data); NOT_RUN: an earlier check failed that it depends on (the detail says which).
 */
public record CheckResult(String name, Status status, String detail, double measured, double tolerance) {
  public enum Status { PASSED, FAILED, SKIPPED, UNSUPPORTED, NOT_RUN }

  /** Whether the check ran (passed, failed or found its case unsupported). */
  public boolean ran() {
    return status != Status.SKIPPED && status != Status.NOT_RUN;
  }

  public static CheckResult passed(String name, String detail, double measured, double tolerance) {
    return new CheckResult(name, Status.PASSED, detail, measured, tolerance);
  }

  public static CheckResult failed(String name, String detail, double measured, double tolerance) {
    return new CheckResult(name, Status.FAILED, detail, measured, tolerance);
  }

  public static CheckResult skipped(String name, String why) {
    return new CheckResult(name, Status.SKIPPED, why, Double.NaN, Double.NaN);
  }

  public static CheckResult notRun(String name, String why) {
    return new CheckResult(name, Status.NOT_RUN, why, Double.NaN, Double.NaN);
  }

  /** Passed when {@code measured <= tolerance} (NaN fails). */
  public static CheckResult atMost(String name, String what, double measured, double tolerance) {
    String detail = what + " = " + String.format("%.3g", measured) + " (tolerance " + tolerance + ")";
    return measured <= tolerance ? passed(name, detail, measured, tolerance) : failed(name, detail, measured, tolerance);
  }

  /** Passed when {@code measured >= tolerance}. */
  public static CheckResult atLeast(String name, String what, double measured, double tolerance) {
    String detail = what + " = " + String.format("%.4f", measured) + " (at least " + tolerance + ")";
    return measured >= tolerance ? passed(name, detail, measured, tolerance) : failed(name, detail, measured, tolerance);
  }
}
