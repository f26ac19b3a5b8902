package org.pgdiffseg.sdk;

/** A model bundle that is missing, malformed, fails verification or does not match its graphs. */
public class BundleException extends PgDiffSegException {
  public BundleException(String message) {
    super(message);
  }

  public BundleException(String message, Throwable cause) {
    super(message, cause);
  }
}
