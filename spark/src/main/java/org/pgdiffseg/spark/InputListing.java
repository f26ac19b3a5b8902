package org.pgdiffseg.spark;

import static com.google.common.base.Preconditions.checkArgument;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileSystemLoopException;
import java.nio.file.FileVisitOption;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.List;

/**
 * Lists a local input folder on the driver: every regular file under it but hidden ones (links followed), and
 * an entry with an error for everything that cannot be an image or cannot be listed, so that nothing under the
 * folder vanishes without a row: a sub-folder that cannot be read, a FIFO, socket or device (never opened, so a
 * FIFO cannot block a task), a link whose target is missing or loops, a link back to a folder above it.
 *
 * <p>Stateless; thread-safe.
 */
final class InputListing {
  /** A file to segment ({@code error} null), or something under the folder that cannot be, and why. */
  record Entry(String path, String error) {}

  private InputListing() {}

  /** The entries under {@code folder}, sorted by path. */
  static List<Entry> list(Path folder) {
    checkArgument(Files.isDirectory(folder), "--input %s is not a folder or Parquet file", folder);
    List<Entry> entries = new ArrayList<>();
    try {
      Files.walkFileTree(folder, EnumSet.of(FileVisitOption.FOLLOW_LINKS), Integer.MAX_VALUE,
          new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) {
              return hidden(folder, dir) ? FileVisitResult.SKIP_SUBTREE : FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
              if (hidden(folder, file)) {
                return FileVisitResult.CONTINUE;
              }
              String path = file.toAbsolutePath().toString();
              if (attrs.isRegularFile()) {
                entries.add(new Entry(path, null));
              } else if (attrs.isSymbolicLink()) {   // FOLLOW_LINKS gives a link's own attributes when its target cannot be read
                entries.add(new Entry(path, path + ": a link whose target is missing or loops; not read"));
              } else {
                entries.add(new Entry(path, path + ": not a regular file (a FIFO, socket or device); not read"));
              }
              return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFileFailed(Path file, IOException e) {
              if (!hidden(folder, file)) {
                entries.add(new Entry(file.toAbsolutePath().toString(), failure(file, e)));
              }
              return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult postVisitDirectory(Path dir, IOException e) {
              if (e != null) {   // the folder's listing broke off part way
                entries.add(new Entry(dir.toAbsolutePath().toString(), failure(dir, e)));
              }
              return FileVisitResult.CONTINUE;
            }
          });
    } catch (IOException e) {
      throw new UncheckedIOException("--input " + folder + ": cannot list it", e);
    }
    entries.sort(Comparator.comparing(Entry::path));
    return entries;
  }

  private static String failure(Path path, IOException e) {
    String p = path.toAbsolutePath().toString();
    if (e instanceof FileSystemLoopException) {
      return p + ": a link to a folder above it (a loop); not followed";
    }
    return p + ": cannot be listed or read (" + e.getClass().getSimpleName()
        + (e.getMessage() != null && !e.getMessage().equals(path.toString()) ? ": " + e.getMessage() : "")
        + "); nothing under it was segmented";
  }

  /** A name under the folder that starts with a dot (the folder's own name does not count). */
  private static boolean hidden(Path folder, Path path) {
    for (Path part : folder.relativize(path)) {
      if (part.toString().startsWith(".")) {
        return true;
      }
    }
    return false;
  }
}
