package org.pgdiffseg.samples;

import java.nio.file.Files;
import java.nio.file.Path;

/** The checkout's root folder, found upwards from the tests' working directory. */
final class RepositoryRoot {
  private RepositoryRoot() {}

  static Path find() {
    for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
      if (Files.exists(dir.resolve("README.md")) && Files.isDirectory(dir.resolve("samples"))) {
        return dir;
      }
    }
    throw new IllegalStateException("repository root not found");
  }
}
