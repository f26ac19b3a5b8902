package org.pgdiffseg.sdk.imaging;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/** Locates the committed imaging fixtures and the shared BUSI originals. */
final class Fixtures {
  private Fixtures() {}

  static Path root() {
    try {
      return Path.of(Fixtures.class.getResource("/imaging/index.json").toURI()).getParent();
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }

  static JsonNode index() {
    try {
      return new ObjectMapper().readTree(root().resolve("index.json").toFile());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** {@code <repo>/../shared/data/busi/originals}, found by walking up from the working directory. */
  static Optional<Path> busiOriginals() {
    for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
      Path candidate = dir.resolve("shared").resolve("data").resolve("busi").resolve("originals");
      if (Files.isDirectory(candidate)) {
        return Optional.of(candidate);
      }
    }
    return Optional.empty();
  }

  static float maxAbsDiff(float[] expected, float[] actual) {
    if (expected.length != actual.length) {
      throw new AssertionError("length " + actual.length + ", expected " + expected.length);
    }
    float max = 0;
    for (int i = 0; i < expected.length; i++) {
      max = Math.max(max, Math.abs(expected[i] - actual[i]));
    }
    return max;
  }
}
