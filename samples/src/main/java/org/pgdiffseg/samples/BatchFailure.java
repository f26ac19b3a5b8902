package org.pgdiffseg.samples;

import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.pgdiffseg.sdk.PgDiffSegException;

/** How one failed input of a batch is told: a line for the console and a row for the results file. */
final class BatchFailure {
  private BatchFailure() {}

  static String message(Throwable e) {
    if (e instanceof PgDiffSegException) {
      return e.getMessage();
    }
    if (e instanceof OutOfMemoryError) {
      return "out of memory on this input (the JVM's heap is too small for it; raise -Xmx or lower --max-pixels)";
    }
    if (e instanceof InvalidPathException bad) {
      return "cannot name an output after this input: " + bad.getMessage();
    }
    return e.getClass().getSimpleName() + ": " + e.getMessage();
  }

  static Map<String, Object> row(Path file, Throwable e, String message) {
    Map<String, Object> row = new LinkedHashMap<>();
    ResultJson.putSource(row, file, file.toString());
    row.put("error", e.getClass().getSimpleName());
    row.put("message", message);
    return row;
  }
}
