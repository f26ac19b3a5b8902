package org.pgdiffseg.sdk.bundle;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

/** The committed random-weight test bundle, and copies of it to break. */
public final class TestBundles {
  private TestBundles() {}

  /** zoo/models/pgdiffseg-tiny-test, found from the module's working directory. */
  public static Path tiny() {
    for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
      Path candidate = dir.resolve("zoo/models/pgdiffseg-tiny-test");
      if (Files.isDirectory(candidate)) {
        return candidate;
      }
    }
    throw new IllegalStateException("zoo/models/pgdiffseg-tiny-test not found above " + Path.of("").toAbsolutePath());
  }

  /** A writable copy of the tiny bundle under {@code dir}. */
  public static Path copyOfTiny(Path dir) {
    Path source = tiny();
    Path target = dir.resolve("bundle");
    try (Stream<Path> files = Files.walk(source)) {
      for (Path p : (Iterable<Path>) files::iterator) {
        Path out = target.resolve(source.relativize(p).toString());
        if (Files.isDirectory(p)) {
          Files.createDirectories(out);
        } else {
          Files.copy(p, out);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return target;
  }
}
