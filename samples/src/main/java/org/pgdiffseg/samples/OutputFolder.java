package org.pgdiffseg.samples;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;

/**
 * A command's output folder, held for the length of one run. Three promises:
 *
 * <ul>
 *   <li><b>One run at a time.</b> The run holds an exclusive lock on {@value #LOCK}; a second run on the same
 *       folder is refused (exit 2) with the process that holds it, so results.json never names another run's
 *       file and no run's rows vanish.
 *   <li><b>Only its own files are replaced.</b> Every file written is recorded in {@value #LEDGER}; a file that
 *       exists and is not recorded there (nor listed as an output by a results.json of an earlier run) was not
 *       written by pgdiffseg and is never overwritten: {@link #mayWrite} says so, and the batch picks another
 *       name or refuses.
 *   <li><b>Whole files or none.</b> Each file is written to a temporary name in the folder and renamed into
 *       place, so a full disk or a kill leaves no truncated output; the temporary file is removed on failure.
 *       Files get the process's umask like any file it creates (not a temporary file's 0600).
 * </ul>
 *
 * Not thread-safe for concurrent {@link #writeAll} of the same name; the batch writes from one thread.
 */
final class OutputFolder implements AutoCloseable {
  static final String LOCK = ".pgdiffseg.lock";
  static final String LEDGER = ".pgdiffseg-written";
  /** Space held back for the last write of a run's record when the disk fills up ({@link #reserve}). */
  static final String RESERVE = ".pgdiffseg-reserve";
  private static final ObjectMapper JSON = new ObjectMapper();

  /** Writes one file's content to {@code target} (a temporary path that is renamed afterwards). */
  @FunctionalInterface
  interface Content {
    void writeTo(Path target) throws IOException;
  }

  /** Writing an output failed (disk full, folder removed, permissions): the batch cannot go on usefully. */
  static final class WriteFailedException extends IOException {
    WriteFailedException(String message, IOException cause) {
      super(message, cause);
    }
  }

  /** An output name is taken by a file pgdiffseg did not write. */
  static final class NotOursException extends IOException {
    NotOursException(Path file) {
      super(file + " exists and was not written by pgdiffseg; it is left as it is (choose another --out)");
    }
  }

  private final Path folder;
  private final FileChannel lockChannel;
  private final FileLock lock;
  private final Set<String> ours = new HashSet<>();

  private OutputFolder(Path folder, FileChannel lockChannel, FileLock lock) {
    this.folder = folder;
    this.lockChannel = lockChannel;
    this.lock = lock;
  }

  /** Checks and creates a command's {@code --out} folder; a path that cannot be one is bad usage (exit 2). */
  static void prepare(CommandSpec spec, Path out) {
    prepare(spec, "--out", out);
  }

  /** {@code option} names the command-line option the folder came from, for the message. */
  static void prepare(CommandSpec spec, String option, Path out) {
    if (Files.exists(out) && !Files.isDirectory(out)) {
      throw new ParameterException(spec.commandLine(), option + " " + out + " is a file, not a folder; name a folder"
          + " (it is created when missing)");
    }
    try {
      Files.createDirectories(out);
    } catch (IOException e) {
      throw new ParameterException(spec.commandLine(), option + " " + out + " cannot be created as a folder ("
          + e.getClass().getSimpleName() + ": " + e.getMessage() + "); is part of the path a file?");
    }
  }

  /**
   * Prepares {@code out} and holds it for this run; refused (exit 2) while another run holds it. Close it when
   * the run ends.
   */
  static OutputFolder claim(CommandSpec spec, String option, Path out) {
    prepare(spec, option, out);
    Path lockFile = out.resolve(LOCK);
    FileChannel channel = null;
    try {
      channel = FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.READ,
          StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS);
      FileLock lock;
      try {
        lock = channel.tryLock();
      } catch (OverlappingFileLockException sameProcess) {
        lock = null;
      }
      if (lock == null) {
        String holder = holder(channel);
        channel.close();
        throw new ParameterException(spec.commandLine(), option + " " + out + " is in use by another pgdiffseg run ("
            + holder + "); wait for it to finish or choose another " + option);
      }
      String me = "process " + ProcessHandle.current().pid();
      channel.truncate(0);
      channel.write(ByteBuffer.wrap(me.getBytes(StandardCharsets.UTF_8)), 0);
      OutputFolder folder = new OutputFolder(out, channel, lock);
      folder.loadWhatIsOurs();
      return folder;
    } catch (IOException e) {
      closeQuietly(channel);
      throw new ParameterException(spec.commandLine(), option + " " + out + " cannot be used as an output folder ("
          + e.getClass().getSimpleName() + ": " + e.getMessage() + ")");
    }
  }

  private static String holder(FileChannel channel) {
    try {
      ByteBuffer b = ByteBuffer.allocate(64);
      int n = channel.read(b, 0);
      String text = n <= 0 ? "" : new String(b.array(), 0, n, StandardCharsets.UTF_8).trim();
      return text.matches("process \\d+") ? text : "a process of this machine";
    } catch (IOException e) {
      return "a process of this machine";
    }
  }

  /** The ledger, and the outputs named by a results.json that an earlier version wrote before the ledger. */
  private void loadWhatIsOurs() throws IOException {
    Path ledger = folder.resolve(LEDGER);
    if (Files.isRegularFile(ledger, LinkOption.NOFOLLOW_LINKS)) {
      for (String line : Files.readAllLines(ledger, StandardCharsets.UTF_8)) {
        if (!line.isBlank() && !line.contains("/")) {
          ours.add(line);
        }
      }
    }
    Path results = folder.resolve("results.json");
    JsonNode json = readResultsJson(results);
    if (json != null) {
      ours.add("results.json");
      for (JsonNode row : json.path("results")) {
        for (String key : List.of("mask", "overlay")) {
          String name = ownName(row.path(key).asText(""));
          if (name != null) {
            ours.add(name);
          }
        }
      }
    }
  }

  /** A results.json as pgdiffseg writes it (status, results, failures), or null. */
  private static JsonNode readResultsJson(Path file) {
    try {
      if (!Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS) || Files.size(file) > (256L << 20)) {
        return null;
      }
      JsonNode json = JSON.readTree(file.toFile());
      return json != null && json.path("status").isTextual() && json.path("results").isArray()
          && json.path("failures").isArray() ? json : null;
    } catch (IOException | RuntimeException e) {
      return null;
    }
  }

  /** The file name of an output path recorded by an earlier run, when it is a mask or overlay of this folder. */
  private String ownName(String recorded) {
    if (recorded.isEmpty()) {
      return null;
    }
    try {
      Path p = Path.of(recorded);
      String name = p.getFileName().toString();
      boolean here = p.getParent() == null ? true
          : Files.isSameFile(p.toAbsolutePath().getParent(), folder.toAbsolutePath());
      return here && (name.endsWith("_mask.png") || name.endsWith("_overlay.png")) ? name : null;
    } catch (IOException | RuntimeException e) {
      return null;
    }
  }

  Path path() {
    return folder;
  }

  Path resolve(String name) {
    return folder.resolve(name);
  }

  /** True when {@code name} is free, or holds a file pgdiffseg wrote: writing it destroys nothing of the user's. */
  boolean mayWrite(String name) {
    return ours.contains(name) || !Files.exists(folder.resolve(name), LinkOption.NOFOLLOW_LINKS);
  }

  /** True when {@code name} in this folder is a file pgdiffseg wrote (an earlier run's output). */
  boolean isOurs(String name) {
    return ours.contains(name);
  }

  /** Writes one file whole, or not at all; see {@link #writeAll}. */
  Path write(String name, Content content) throws IOException {
    writeAll(Map.of(name, content));
    return folder.resolve(name);
  }

  /**
   * Writes the files whole, all or none: each to a temporary file first, then all renamed into place. A name
   * that holds a file pgdiffseg did not write is refused ({@link NotOursException}) before anything is
   * written; an I/O failure ({@link WriteFailedException}) leaves no temporary file behind.
   */
  void writeAll(Map<String, Content> files) throws IOException {
    for (String name : files.keySet()) {
      if (!mayWrite(name)) {
        throw new NotOursException(folder.resolve(name));
      }
    }
    Map<String, Path> temporaries = new LinkedHashMap<>();
    try {
      for (var entry : files.entrySet()) {
        Path tmp = folder.resolve("." + entry.getKey() + "." + Long.toHexString(ThreadLocalRandom.current().nextLong())
            + ".tmp");
        temporaries.put(entry.getKey(), tmp);
        // CREATE_NEW: the process's umask decides the mode, as for any file it makes; never follows a link.
        try (OutputStream ignored = Files.newOutputStream(tmp, StandardOpenOption.CREATE_NEW)) {
          // created empty; the content writes it
        }
        entry.getValue().writeTo(tmp);
      }
      for (var entry : temporaries.entrySet()) {
        move(entry.getValue(), folder.resolve(entry.getKey()));
        record(entry.getKey());
      }
    } catch (IOException e) {
      throw e instanceof WriteFailedException ? e : new WriteFailedException("cannot write into " + folder + ": "
          + (e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage()), e);
    } finally {
      for (Path tmp : temporaries.values()) {
        Files.deleteIfExists(tmp);
      }
    }
  }

  /**
   * Recorded after the rename: a kill in between leaves a file of ours unrecorded, which a later run then
   * leaves alone; recording first could claim a name the user creates afterwards. A ledger that cannot be
   * appended to (a full disk) costs the same and no more, so it does not fail the write.
   */
  private void record(String name) {
    if (ours.add(name)) {
      try {
        Files.writeString(folder.resolve(LEDGER), name + "\n", StandardCharsets.UTF_8, StandardOpenOption.CREATE,
            StandardOpenOption.APPEND, StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS);
      } catch (IOException e) {
        // this run still knows the file is its own; a later run will not overwrite it
      }
    }
  }

  private static void move(Path from, Path to) throws IOException {
    try {
      Files.move(from, to, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (AtomicMoveNotSupportedException e) {
      Files.move(from, to, StandardCopyOption.REPLACE_EXISTING);
    }
  }

  /**
   * Holds at least {@code bytes} of disk in {@value #RESERVE} (real zeros, not a sparse file), grown by doubling;
   * {@link #releaseReserve} gives it back when the disk is full, so the run's last record still fits. Best
   * effort: where the disk cannot spare it, or the name holds a file of the user's, nothing is held.
   */
  void reserve(long bytes) {
    Path file = folder.resolve(RESERVE);
    if (!mayWrite(RESERVE)) {
      return;
    }
    try {
      long size = Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS) ? Files.size(file) : 0;
      if (size >= bytes) {
        return;
      }
      long target = Math.max(bytes, 2 * size);
      try (FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
          LinkOption.NOFOLLOW_LINKS)) {
        ByteBuffer zeros = ByteBuffer.allocate(64 << 10);
        for (long at = size; at < target; at += zeros.capacity()) {
          zeros.clear().limit((int) Math.min(zeros.capacity(), target - at));
          channel.write(zeros, at);
        }
      }
      record(RESERVE);
    } catch (IOException e) {
      // the disk is already too full to hold space back; the record is written while it fits
    }
  }

  /** Gives the reserved space back (see {@link #reserve}). */
  void releaseReserve() {
    if (isOurs(RESERVE)) {
      try {
        Files.deleteIfExists(folder.resolve(RESERVE));
      } catch (IOException e) {
        // nothing more can be freed
      }
    }
  }

  @Override
  public void close() {
    try {
      if (lock.isValid()) {
        lock.release();
      }
    } catch (IOException e) {
      // the channel is closed next, which releases the lock anyway
    }
    closeQuietly(lockChannel);
  }

  private static void closeQuietly(FileChannel channel) {
    if (channel != null) {
      try {
        channel.close();
      } catch (IOException ignored) {
        // nothing was written through it that could be lost
      }
    }
  }
}
