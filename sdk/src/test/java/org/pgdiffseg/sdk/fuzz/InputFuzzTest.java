package org.pgdiffseg.sdk.fuzz;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.pgdiffseg.sdk.PgDiffSegException;
import org.pgdiffseg.sdk.bundle.ManifestParser;
import org.pgdiffseg.sdk.bundle.ModelBundle;
import org.pgdiffseg.sdk.bundle.ZipLimits;
import org.pgdiffseg.sdk.imaging.DicomReader;
import org.pgdiffseg.sdk.imaging.ImageDecoder;

/**
 * Fuzz targets for what arrives from outside: manifests, zipped bundles, image files and DICOM files. Any outcome but
 * a result or the documented typed exception is a finding (an unchecked exception, a crash, a hang).
 * In a normal test run each target replays its committed seed corpus (src/test/resources/.../*Inputs);
 * {@code JAZZER_FUZZ=1 mvn -pl sdk test -Dtest=InputFuzzTest} fuzzes.
 */
class InputFuzzTest {
  private static final ImageDecoder DECODER = new ImageDecoder(4_000_000);
  private static final DicomReader DICOM_READER = new DicomReader(4_000_000);

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

  /**
   * DICOM after its preamble (seeds: {@link DicomSeeds}, plus findings): the fuzzer's bytes follow the 128-byte preamble and "DICM", so every input reaches
   * the header walk and, when that accepts it, ImageJ's decoder. A hang is a finding (the fuzzer's timeout).
   */
  @FuzzTest(maxDuration = "30s")
  void dicomReader(byte[] afterPreamble) {
    byte[] data = new byte[132 + afterPreamble.length];
    data[128] = 'D';
    data[129] = 'I';
    data[130] = 'C';
    data[131] = 'M';
    System.arraycopy(afterPreamble, 0, data, 132, afterPreamble.length);
    // ImageJ prints its errors on standard output unless told not to: anything printed is a finding too.
    PrintStream stdout = System.out;
    ByteArrayOutputStream printed = new ByteArrayOutputStream();
    System.setOut(new PrintStream(printed, true, StandardCharsets.UTF_8));
    try {
      DICOM_READER.read(data, "fuzz.dcm");
    } catch (PgDiffSegException expected) {
      // refused with a message
    } finally {
      System.setOut(stdout);
    }
    if (printed.size() > 0) {
      throw new IllegalStateException("the DICOM reader printed to standard output: " + printed);
    }
  }
}
