package org.pgdiffseg.samples;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A batch's results.json, kept current while the batch runs: each write goes to a temporary file in the same
 * folder and is renamed over the old one, so a reader (or a second run on the same folder) only ever sees a
 * whole file. The file says {@code "status": "running"} until the batch ends ({@code "complete"}), and when the
 * JVM is stopped by SIGINT or SIGTERM mid-batch a shutdown hook writes what was done with
 * {@code "status": "interrupted"}. A run first replaces any results.json of an earlier run, so a stale file
 * never lists other images. Writes during the batch are at most one per {@link #MIN_INTERVAL_NANOS}, so a
 * long batch does not spend its time rewriting a growing file. Thread-safe.
 */
final class ResultsFile implements AutoCloseable {
  static final long MIN_INTERVAL_NANOS = 2_000_000_000L;
  private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  private final Path file;
  private final Map<String, Object> header;
  private final List<Map<String, Object>> results = new ArrayList<>();
  private final List<Map<String, Object>> failures = new ArrayList<>();
  private final Thread onShutdown = new Thread(() -> finish("interrupted"), "pgdiffseg-results");
  private long lastWrite;
  private boolean finished;

  /** Starts {@code file} for a run described by {@code header} (model, settings, ...). */
  ResultsFile(Path file, Map<String, Object> header) {
    this.file = file;
    this.header = new LinkedHashMap<>(header);
    write("running");
    Runtime.getRuntime().addShutdownHook(onShutdown);
  }

  synchronized void addResult(Map<String, Object> result) {
    results.add(result);
    writeIfDue();
  }

  synchronized void addFailure(Map<String, Object> failure) {
    failures.add(failure);
    writeIfDue();
  }

  synchronized int resultCount() {
    return results.size();
  }

  synchronized int failureCount() {
    return failures.size();
  }

  /** Writes the final file; later additions are not written. */
  synchronized void finish(String status) {
    if (!finished) {
      write(status);
      finished = true;
    }
  }

  @Override
  public void close() {
    finish("complete");
    try {
      Runtime.getRuntime().removeShutdownHook(onShutdown);
    } catch (IllegalStateException shuttingDown) {
      // the hook is running or has run: it found the file finished
    }
  }

  private void writeIfDue() {
    if (!finished && System.nanoTime() - lastWrite >= MIN_INTERVAL_NANOS) {
      write("running");
    }
  }

  private void write(String status) {
    Map<String, Object> json = new LinkedHashMap<>();
    json.put("status", status);
    json.putAll(header);
    json.put("results", results);
    json.put("failures", failures);
    try {
      Path tmp = Files.createTempFile(file.toAbsolutePath().getParent(), ".results-", ".json.tmp");
      try {
        JSON.writeValue(tmp.toFile(), json);
        try {
          Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
          Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
        }
      } finally {
        Files.deleteIfExists(tmp);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + file + ": " + e.getMessage(), e);
    }
    lastWrite = System.nanoTime();
  }
}
