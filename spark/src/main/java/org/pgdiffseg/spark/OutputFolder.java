package org.pgdiffseg.spark;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.LocatedFileStatus;
import org.apache.hadoop.fs.RemoteIterator;

/**
 * Decides, before Spark touches it, whether the job may write its Parquet output to a folder. Spark's
 * {@code SaveMode.Overwrite} deletes the whole folder first, so the job refuses an output that is, contains or
 * lies inside an input folder (compared by real path, links resolved), and replaces only an earlier output of
 * this job: a folder holding nothing but Spark's {@code _SUCCESS}, {@code part-*.parquet}, their {@code .crc}
 * files and {@code _temporary} (what a killed run leaves).
 *
 * <p>Stateless; thread-safe.
 */
final class OutputFolder {
  /** What the job does with an output that passed the checks. */
  enum Action {
    /** The folder does not exist: Spark creates it (and fails should it appear meanwhile). */
    CREATE,
    /** The folder is empty, or an earlier output of this job and {@code --overwrite} was given: Spark replaces it. */
    REPLACE
  }

  private OutputFolder() {}

  /**
   * Checks a local {@code output} against the job's local input folders ({@code --input}, {@code --masks}, by
   * option name; null values are skipped) and {@code overwrite}.
   *
   * @throws IllegalArgumentException (bad usage) with one sentence naming the path and the problem
   */
  static Action checkLocal(Path output, Map<String, Path> inputs, boolean overwrite) {
    Path real = realPath(output);
    for (Map.Entry<String, Path> input : inputs.entrySet()) {
      if (input.getValue() == null || !Files.exists(input.getValue())) {
        continue;   // a missing input is reported by the job itself
      }
      Path folder = realPath(input.getValue());
      String relation = real.equals(folder) ? "is" : folder.startsWith(real) ? "contains"
          : real.startsWith(folder) ? "lies inside" : null;
      if (relation != null) {
        throw new IllegalArgumentException("--output " + output + " " + relation + " the " + input.getKey()
            + " folder " + input.getValue() + " (" + folder + "); choose an output folder apart from the inputs,"
            + " since replacing or writing it would delete or mix with them");
      }
    }
    if (!Files.exists(output, LinkOption.NOFOLLOW_LINKS)) {
      return Action.CREATE;
    }
    if (Files.isSymbolicLink(output)) {
      throw new IllegalArgumentException("--output " + output + " is a link; give the folder itself");
    }
    if (!Files.isDirectory(real)) {
      throw new IllegalArgumentException("--output " + output + " exists and is not a folder; choose a folder");
    }
    return decide(output.toString(), localEntries(real), overwrite);
  }

  /** Checks an output on another file system ({@code hdfs://}, {@code s3a://}) the same way, minus real paths. */
  static Action checkRemote(String output, Configuration conf, boolean overwrite) {
    try {
      org.apache.hadoop.fs.Path path = new org.apache.hadoop.fs.Path(output);
      FileSystem fs = path.getFileSystem(conf);
      if (!fs.exists(path)) {
        return Action.CREATE;
      }
      if (!fs.getFileStatus(path).isDirectory()) {
        throw new IllegalArgumentException("--output " + output + " exists and is not a folder; choose a folder");
      }
      String root = fs.getFileStatus(path).getPath().toUri().getPath();
      List<Entry> entries = new ArrayList<>();
      for (org.apache.hadoop.fs.FileStatus status : fs.listStatus(path)) {
        if (status.isDirectory()) {
          entries.add(new Entry(status.getPath().getName(), true, false));
        }
      }
      RemoteIterator<LocatedFileStatus> files = fs.listFiles(path, true);
      while (files.hasNext()) {
        LocatedFileStatus file = files.next();
        entries.add(new Entry(file.getPath().toUri().getPath().substring(root.length() + 1), false,
            file.isSymlink()));
      }
      return decide(output, entries, overwrite);
    } catch (IOException e) {
      throw new UncheckedIOException("--output " + output + ": cannot check it: " + e.getMessage(), e);
    }
  }

  /** One file or folder under the output, by its path relative to the output. */
  record Entry(String relative, boolean directory, boolean link) {}

  private static Action decide(String output, List<Entry> entries, boolean overwrite) {
    if (entries.isEmpty()) {
      return Action.REPLACE;   // an empty folder: nothing in it can be lost
    }
    for (Entry entry : entries) {
      if (!writtenByTheJob(entry)) {
        throw new IllegalArgumentException("--output " + output + " exists and holds " + entry.relative()
            + ", which this job did not write; choose another output folder (only an earlier output of this job,"
            + " _SUCCESS, part-*.parquet and _temporary, is ever replaced)");
      }
    }
    boolean finished = entries.stream().anyMatch(e -> e.relative().equals("_SUCCESS"));
    if (!overwrite) {
      throw new IllegalArgumentException("--output " + output + (finished
          ? " already holds the output of an earlier run; add --overwrite to replace it"
          : " holds the unfinished output of an earlier run that stopped (no _SUCCESS); rerun with --overwrite"
              + " to replace it"));
    }
    return Action.REPLACE;
  }

  /** What Spark's Parquet writer leaves in an output folder, finished ({@code _SUCCESS}) or killed ({@code _temporary}). */
  static boolean writtenByTheJob(Entry entry) {
    if (entry.link()) {
      return false;
    }
    String path = entry.relative();
    if (path.equals("_temporary") || path.startsWith("_temporary/")) {
      return entry.directory() || isPartFile(path.substring(path.lastIndexOf('/') + 1));
    }
    return !entry.directory() && (path.equals("_SUCCESS") || path.equals("._SUCCESS.crc") || isPartFile(path));
  }

  private static boolean isPartFile(String name) {
    return (name.startsWith("part-") && name.endsWith(".parquet"))
        || (name.startsWith(".part-") && name.endsWith(".parquet.crc"));
  }

  private static List<Entry> localEntries(Path folder) {
    List<Entry> entries = new ArrayList<>();
    try {
      Files.walkFileTree(folder, new SimpleFileVisitor<>() {
        @Override
        public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) {
          if (!dir.equals(folder)) {
            entries.add(new Entry(relative(folder, dir), true, false));
          }
          return FileVisitResult.CONTINUE;
        }

        @Override
        public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
          entries.add(new Entry(relative(folder, file), false, !attrs.isRegularFile()));
          return FileVisitResult.CONTINUE;
        }
      });
    } catch (IOException e) {
      throw new IllegalArgumentException("--output " + folder + " exists and cannot be read (" + e.getMessage()
          + "); choose another output folder", e);
    }
    return entries;
  }

  private static String relative(Path folder, Path path) {
    return folder.relativize(path).toString().replace(path.getFileSystem().getSeparator(), "/");
  }

  /**
   * The real path of {@code path}, links resolved; for a path that does not exist yet, the real path of its
   * nearest existing ancestor with the remaining names appended (what it will be once created).
   */
  static Path realPath(Path path) {
    Path absolute = path.toAbsolutePath().normalize();
    Path existing = absolute;
    while (existing != null && !Files.exists(existing, LinkOption.NOFOLLOW_LINKS)) {
      existing = existing.getParent();
    }
    if (existing == null) {
      return absolute;
    }
    try {
      return existing.toRealPath().resolve(existing.relativize(absolute)).normalize();
    } catch (NoSuchFileException e) {
      throw new IllegalArgumentException(path + ": " + existing + " is a link whose target does not exist", e);
    } catch (IOException e) {
      throw new IllegalArgumentException(path + ": cannot resolve " + existing + " (" + e.getMessage() + ")", e);
    }
  }
}
