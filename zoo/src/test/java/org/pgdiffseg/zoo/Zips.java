package org.pgdiffseg.zoo;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/** Zips a bundle folder the way a user would, for the zoo's tests. */
final class Zips {
  private Zips() {}

  static Path zip(Path folder, Path zip) throws IOException {
    try (ZipOutputStream out = new ZipOutputStream(Files.newOutputStream(zip)); var files = Files.walk(folder)) {
      for (Path p : (Iterable<Path>) files::iterator) {
        if (Files.isRegularFile(p)) {
          out.putNextEntry(new ZipEntry(folder.relativize(p).toString()));
          Files.copy(p, out);
        }
      }
    }
    return zip;
  }
}
