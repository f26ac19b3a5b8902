package org.pgdiffseg.sdk.bundle;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pgdiffseg.sdk.BundleException;

/** Zipped bundles are unpacked once per JVM, and a refused zip leaves nothing in the temporary folder. */
class UnpackedZipsTest {
  @TempDir Path tmp;

  private static Set<Path> unpackFolders() throws IOException {
    try (var entries = Files.list(Path.of(System.getProperty("java.io.tmpdir")))) {
      return entries.filter(p -> p.getFileName().toString().startsWith("pgdiffseg-bundle-")).collect(Collectors.toSet());
    }
  }

  @Test
  void aZipIsUnpackedOnceAndReused() throws Exception {
    Path zip = ModelBundleTest.zipOf(TestBundles.tiny(), tmp.resolve("tiny.zip"), "");
    Set<Path> before = unpackFolders();
    ModelBundle first = ModelBundle.open(zip);
    ModelBundle second = ModelBundle.open(zip);
    assertThat(second.root()).isEqualTo(first.root());
    Set<Path> added = unpackFolders();
    added.removeAll(before);
    assertThat(added).hasSize(1);
  }

  @Test
  void aZipRefusedForItsLimitsLeavesNoFolder() throws Exception {
    Path zip = tmp.resolve("big.zip");
    try (ZipOutputStream out = new ZipOutputStream(Files.newOutputStream(zip))) {
      out.putNextEntry(new ZipEntry("bundle.json"));
      out.write(new byte[10]);
      out.putNextEntry(new ZipEntry("padding.bin"));
      out.write(new byte[5 << 20]);   // 5 MiB of zeros: a few KiB zipped
    }
    Set<Path> before = unpackFolders();
    assertThatThrownBy(() -> ModelBundle.open(zip, ManifestParser.strict(), new ZipLimits(1 << 20, 4 << 20, 1 << 20, 10)))
        .isInstanceOf(BundleException.class).hasMessageContaining("limit");
    assertThat(unpackFolders()).isEqualTo(before);
  }

  @Test
  void aZipRefusedForItsContentLeavesNoFolder() throws Exception {
    Path copy = TestBundles.copyOfTiny(tmp);
    Files.writeString(copy.resolve("prior.onnx"), "tampered");
    Path zip = ModelBundleTest.zipOf(copy, tmp.resolve("tampered.zip"), "");
    Set<Path> before = unpackFolders();
    assertThatThrownBy(() -> ModelBundle.open(zip)).isInstanceOf(BundleException.class).hasMessageContaining("Checksum");
    assertThat(unpackFolders()).isEqualTo(before);
  }
}
