package org.pgdiffseg.zoo;

/**
 * What {@link ModelZoo#verify} found for a model, without changing anything: the model as asked for, the outcome
 * and a sentence naming the folder and, when it fails, the file and the problem. Immutable.
 */
public record Verification(String model, Outcome outcome, String detail) {
  /** The states a bundle or cache entry can be found in. */
  public enum Outcome {
    /** The manifest is valid and every listed file matches its sha256. */
    OK,
    /** The model is not in the cache (nothing to verify yet). */
    MISSING,
    /** A file differs, is missing, or the manifest is invalid. */
    FAILED,
    /** The cache entry, or a folder above it in the cache, is a link; it is neither used nor replaced. */
    LINKED,
    /** A valid bundle, but an older copy of the one embedded in this jar; the next resolve replaces it. */
    STALE
  }

  public boolean ok() {
    return outcome == Outcome.OK;
  }
}
