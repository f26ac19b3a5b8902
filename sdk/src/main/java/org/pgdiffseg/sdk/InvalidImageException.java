package org.pgdiffseg.sdk;

import java.nio.file.Path;

/** An input image that cannot be decoded or is outside what the SDK accepts; the message names the file. */
public class InvalidImageException extends PgDiffSegException {
  public InvalidImageException(String message) {
    super(message);
  }

  public InvalidImageException(String message, Throwable cause) {
    super(message, cause);
  }

  public InvalidImageException(Path file, String problem) {
    super(file + ": " + problem);
  }

  public InvalidImageException(Path file, String problem, Throwable cause) {
    super(file + ": " + problem, cause);
  }
}
