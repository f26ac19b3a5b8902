package org.pgdiffseg.samples;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A batch's results.json, kept current while the batch runs: each write goes through {@link OutputFolder} (a
 * temporary file in the same folder renamed over the old one), so a reader only ever sees a whole file. The
 * file says {@code "status": "running"} until the batch ends ({@code "complete"}, or {@code "stopped"} with the
 * reason when its outputs could not be written), and when the JVM is stopped by SIGINT or SIGTERM mid-batch a
 * shutdown hook writes what was done with {@code "status": "interrupted"}. A run first replaces the
 * results.json of an earlier run (never a file pgdiffseg did not write), so a stale file never lists other
 * images. The file is rewritten as each result lands unless rewriting has grown to cost more than a tenth of
 * the batch's time ({@link #REWRITE_SHARE}), so small batches record every image at once and long ones do not
 * spend their time rewriting a growing file. Thread-safe.
 */
final class ResultsFile implements AutoCloseable {
  static final String NAME = "results.json";
  /** Rewrites are skipped until the time since the last one is this many times its duration. */
  static final int REWRITE_SHARE = 10;
  /** The least disk held back for the last record of a run (see {@link OutputFolder#reserve}). */
  static final long MIN_RESERVE = 64L << 10;
  private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  private final OutputFolder folder;
  private final Map<String, Object> header;
  private final List<Map<String, Object>> results = new ArrayList<>();
  private final List<Map<String, Object>> failures = new ArrayList<>();
  private final Thread onShutdown = new Thread(this::finishOnShutdown, "pgdiffseg-results");
  private long lastWriteEnd;
  private long lastWriteNanos;
  private boolean finished;

  /** Starts {@code folder}'s results.json for a run described by {@code header} (model, settings, ...). */
  ResultsFile(OutputFolder folder, Map<String, Object> header) throws IOException {
    this.folder = folder;
    this.header = new LinkedHashMap<>(header);
    write("running", null);
    Runtime.getRuntime().addShutdownHook(onShutdown);
  }

  /** Adds a row; throws when results.json could not be written ({@link OutputFolder.WriteFailedException}). */
  synchronized void addResult(Map<String, Object> result) throws IOException {
    results.add(result);
    writeIfDue();
  }

  /**
   * Sets {@code key} to {@code value} in rows already added (a file written after its rows, such as the SEG of
   * a multi-frame DICOM), under this file's lock so that no write sees a row half-changed.
   */
  synchronized void putInRows(List<Map<String, Object>> rows, String key, Object value) throws IOException {
    for (Map<String, Object> row : rows) {
      row.put(key, value);
    }
    writeIfDue();
  }

  synchronized void addFailure(Map<String, Object> failure) throws IOException {
    failures.add(failure);
    writeIfDue();
  }

  synchronized int resultCount() {
    return results.size();
  }

  synchronized int failureCount() {
    return failures.size();
  }

  /** Writes the final file with {@code status} and, when not null, the {@code reason} it ended so. */
  synchronized void finish(String status, String reason) throws IOException {
    if (!finished) {
      finished = true;
      write(status, reason);
    }
  }

  private void finishOnShutdown() {
    try {
      finish("interrupted", "stopped by a signal");
    } catch (IOException e) {
      // one line, no stack trace: the JVM is going down and this is all the user will see
      PrintStream err = System.err;
      err.println("pgdiffseg: " + e.getMessage());
    }
  }

  /** Writes "complete" unless the file was already finished; see {@link #finish}. */
  @Override
  public void close() throws IOException {
    try {
      finish("complete", null);
    } finally {
      try {
        Runtime.getRuntime().removeShutdownHook(onShutdown);
      } catch (IllegalStateException shuttingDown) {
        // the hook is running or has run: it found the file finished
      }
    }
  }

  private void writeIfDue() throws IOException {
    if (!finished && System.nanoTime() - lastWriteEnd >= REWRITE_SHARE * lastWriteNanos) {
      write("running", null);
    }
  }

  private void write(String status, String reason) throws IOException {
    long start = System.nanoTime();
    Map<String, Object> json = new LinkedHashMap<>();
    json.put("status", status);
    if (reason != null) {
      json.put("reason", reason);
    }
    json.putAll(header);
    json.put("results", results);
    json.put("failures", failures);
    byte[] bytes = JSON.writeValueAsBytes(json);
    boolean last = !"running".equals(status);
    try {
      folder.write(NAME, tmp -> java.nio.file.Files.write(tmp, bytes));
    } catch (OutputFolder.WriteFailedException full) {
      if (!last) {
        throw full;
      }
      // The last record of a run: give back the space held for it and try once more.
      folder.releaseReserve();
      folder.write(NAME, tmp -> java.nio.file.Files.write(tmp, bytes));
    }
    if (last) {
      folder.releaseReserve();
    } else {
      folder.reserve(2L * bytes.length + MIN_RESERVE);   // room for the next, larger record beside this one
    }
    lastWriteEnd = System.nanoTime();
    lastWriteNanos = lastWriteEnd - start;
  }
}
