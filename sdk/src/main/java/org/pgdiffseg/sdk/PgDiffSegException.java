package org.pgdiffseg.sdk;

/**
 * Root of the checked failures a caller of the SDK must plan for: an image that cannot be read, a bundle
 * that cannot be trusted, an inference that went wrong. Misuse of the API (a null argument, a call after
 * {@code close()}) is reported with unchecked {@link IllegalArgumentException} / {@link IllegalStateException}.
 */
public class PgDiffSegException extends Exception {
  public PgDiffSegException(String message) {
    super(message);
  }

  public PgDiffSegException(String message, Throwable cause) {
    super(message, cause);
  }
}
