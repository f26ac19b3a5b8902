package org.pgdiffseg.sdk.fuzz;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.pgdiffseg.sdk.PgDiffSegException;
import org.pgdiffseg.sdk.bundle.ManifestParser;
import org.pgdiffseg.sdk.bundle.ModelBundle;
import org.pgdiffseg.sdk.bundle.ZipLimits;
import org.pgdiffseg.sdk.imaging.ImageDecoder;

/**
 * Fuzz targets for what arrives from outside: manifests, zipped bundles and image files. Any outcome but
 * a result or the documented typed exception is a finding (an unchecked exception, a crash, a hang).
 * In a normal test run each target replays its committed seed corpus (src/test/resources/.../*Inputs);
 * {@code JAZZER_FUZZ=1 mvn -pl sdk test -Dtest=InputFuzzTest} fuzzes.
 */
class InputFuzzTest {
  private static final ImageDecoder DECODER = new ImageDecoder(4_000_000);

  @FuzzTest(maxDuration = "30s")
  void manifestParser(byte[] json) {
    try {
      ManifestParser.strict().parse(json, "bundle.json");
    } catch (PgDiffSegException expected) {
      // refused with a message: the documented outcome
    }
  }

  @FuzzTest(maxDuration = "30s")
  void zipBundleReader(byte[] zip) throws IOException {
    Path dir = Files.createTempDirectory("fuzz-zip");
    Path file = dir.resolve("bundle.zip");
    try {
      Files.write(file, zip);
      Path target = Files.createDirectories(dir.resolve("out"));
      ModelBundle.unpack(file, target, new ZipLimits(1 << 20, 1 << 20, 1 << 20, 100));
      try (var files = Files.walk(target)) {
        files.forEach(p -> {
          if (!p.toAbsolutePath().normalize().startsWith(target.toAbsolutePath())) {
            throw new IllegalStateException("zip wrote outside its folder: " + p);
          }
        });
      }
    } catch (PgDiffSegException expected) {
      // refused with a message
    } finally {
      try {
        com.google.common.io.MoreFiles.deleteRecursively(dir, com.google.common.io.RecursiveDeleteOption.ALLOW_INSECURE);
      } catch (IOException cleanup) {
        // A temporary folder left behind is not a finding about the reader; seen once under the fuzzer's hooks.
      }
    }
  }

  @FuzzTest(maxDuration = "30s")
  void imageDecoder(byte[] data) {
    try {
      DECODER.decode(data, "fuzz.png");
    } catch (PgDiffSegException expected) {
      // refused with a message
    }
  }
}
