package org.pgdiffseg.sdk.bundle;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.apache.commons.compress.archivers.zip.ZipArchiveEntry;
import org.apache.commons.compress.archivers.zip.ZipArchiveOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pgdiffseg.sdk.BundleException;

class ModelBundleTest {
  @TempDir Path tmp;

  @Test
  void opensTheCommittedTestBundle() throws Exception {
    ModelBundle bundle = ModelBundle.open(TestBundles.tiny());
    BundleManifest m = bundle.manifest();
    assertThat(m.id()).isEqualTo("pgdiffseg-tiny-test");
    assertThat(m.input().height()).isEqualTo(32);
    assertThat(m.prior().outputs()).extracting(BundleManifest.TensorDecl::name)
        .containsExactly("prior", "class_logits", "coarse_mask");
    assertThat(m.denoiser().inputs().get(0).dims()).containsExactly(-1, 1, 32, 32);
    assertThat(m.gating().skipClassIndex()).isZero();
    assertThat(bundle.graphPath(BundleManifest.DENOISER)).exists();
  }

  @Test
  void refusesAGraphWhoseChecksumDiffers() throws Exception {
    Path copy = TestBundles.copyOfTiny(tmp);
    byte[] graph = Files.readAllBytes(copy.resolve("denoiser.onnx"));
    graph[graph.length / 2] ^= 1;
    Files.write(copy.resolve("denoiser.onnx"), graph);
    assertThatThrownBy(() -> ModelBundle.open(copy))
        .isInstanceOf(BundleException.class)
        .hasMessageContaining("Checksum error")
        .hasMessageContaining("denoiser.onnx")
        .hasMessageContaining("expected");
  }

  @Test
  void refusesAMissingFile() throws Exception {
    Path copy = TestBundles.copyOfTiny(tmp);
    Files.delete(copy.resolve("MODEL_CARD.md"));
    assertThatThrownBy(() -> ModelBundle.open(copy)).isInstanceOf(BundleException.class)
        .hasMessageContaining("missing file 'MODEL_CARD.md'");
  }

  @Test
  void refusesAMissingManifestAndAMissingFolder() {
    assertThatThrownBy(() -> ModelBundle.open(tmp)).isInstanceOf(BundleException.class).hasMessageContaining("missing bundle.json");
    assertThatThrownBy(() -> ModelBundle.open(tmp.resolve("nope"))).isInstanceOf(BundleException.class)
        .hasMessageContaining("no such bundle");
  }

  @Test
  void refusesASymlinkedGraph() throws Exception {
    Path copy = TestBundles.copyOfTiny(tmp);
    Path outside = tmp.resolve("outside.onnx");
    Files.move(copy.resolve("prior.onnx"), outside);
    Files.createSymbolicLink(copy.resolve("prior.onnx"), outside);
    assertThatThrownBy(() -> ModelBundle.open(copy)).isInstanceOf(BundleException.class)
        .hasMessageContaining("prior.onnx");
  }

  @Test
  void opensAZipWithTheBundleAtTheRootOrInOneFolder() throws Exception {
    Path flat = zipOf(TestBundles.tiny(), tmp.resolve("flat.zip"), "");
    Path nested = zipOf(TestBundles.tiny(), tmp.resolve("nested.zip"), "pgdiffseg-tiny-test/");
    assertThat(ModelBundle.open(flat).manifest().id()).isEqualTo("pgdiffseg-tiny-test");
    assertThat(ModelBundle.open(nested).manifest().id()).isEqualTo("pgdiffseg-tiny-test");
  }

  @Test
  void refusesZipEntriesThatEscapeTheFolder() throws Exception {
    for (String evil : new String[] {"../evil.txt", "/etc/evil.txt", "a/../../evil.txt"}) {
      Path zip = tmp.resolve("evil" + evil.hashCode() + ".zip");
      try (ZipOutputStream out = new ZipOutputStream(Files.newOutputStream(zip))) {
        out.putNextEntry(new ZipEntry(evil));
        out.write("x".getBytes(StandardCharsets.UTF_8));
      }
      assertThatThrownBy(() -> ModelBundle.open(zip)).as(evil).isInstanceOf(BundleException.class)
          .hasMessageContaining(evil);
    }
    assertThat(tmp.getParent().resolve("evil.txt")).doesNotExist();
  }

  @Test
  void refusesZipEntriesWithANulInTheNameOrAnUnsupportedCompressionMethod() {
    // Both found by the fuzzer (InputFuzzTest.zipBundleReader); they used to escape as unchecked errors.
    Path corpus = Path.of("src/test/resources/org/pgdiffseg/sdk/fuzz/InputFuzzTestInputs/zipBundleReader");
    assertThatThrownBy(() -> ModelBundle.open(corpus.resolve("nul-in-entry-name.zip"))).isInstanceOf(BundleException.class)
        .hasMessageContaining("is not a valid file name");
    assertThatThrownBy(() -> ModelBundle.open(corpus.resolve("zstd-entry.zip"))).isInstanceOf(BundleException.class)
        .hasMessageContaining("compression method");
  }

  @Test
  void refusedZipsLeaveNoFileOpen() throws Exception {
    // Found by the fuzzer: a zip whose content cannot be read kept its file open, until "Too many open files".
    Path fds = Path.of("/proc/self/fd");
    org.junit.jupiter.api.Assumptions.assumeTrue(Files.isDirectory(fds), "open files are counted in /proc (Linux)");
    Path corrupt = Path.of("src/test/resources/org/pgdiffseg/sdk/fuzz/InputFuzzTestInputs/zipBundleReader/open-file-leak.zip");
    long before;
    try (var open = Files.list(fds)) {
      before = open.count();
    }
    for (int i = 0; i < 50; i++) {
      Path target = Files.createDirectories(tmp.resolve("out" + i));
      assertThatThrownBy(() -> ModelBundle.unpack(corrupt, target, new ZipLimits(1 << 20, 1 << 20, 1 << 20, 100)))
          .isInstanceOf(BundleException.class).hasMessageContaining("cannot read zip");
    }
    try (var open = Files.list(fds)) {
      assertThat(open.count()).as("open files after 50 refused zips").isLessThan(before + 10);
    }
  }

  @Test
  void refusesZipSymlinks() throws Exception {
    Path zip = tmp.resolve("link.zip");
    try (ZipArchiveOutputStream out = new ZipArchiveOutputStream(zip)) {
      ZipArchiveEntry link = new ZipArchiveEntry("bundle.json");
      link.setUnixMode(0120777);
      out.putArchiveEntry(link);
      out.write("/etc/passwd".getBytes(StandardCharsets.UTF_8));
      out.closeArchiveEntry();
    }
    assertThatThrownBy(() -> ModelBundle.open(zip)).isInstanceOf(BundleException.class)
        .hasMessageContaining("symbolic link");
  }

  @Test
  void refusesAZipHoldingOneEntryNameTwice() throws Exception {
    byte[] manifest = Files.readAllBytes(TestBundles.tiny().resolve("bundle.json"));
    for (String second : new String[] {"bundle.json", "BUNDLE.json", "./bundle.json"}) {
      Path zip = tmp.resolve("twice" + Math.abs(second.hashCode()) + ".zip");
      try (ZipArchiveOutputStream out = new ZipArchiveOutputStream(zip)) {
        for (String name : new String[] {"bundle.json", second}) {
          out.putArchiveEntry(new ZipArchiveEntry(name));
          out.write(manifest);
          out.closeArchiveEntry();
        }
      }
      assertThatThrownBy(() -> ModelBundle.unpack(zip, tmp.resolve("out" + Math.abs(second.hashCode())), ZipLimits.DEFAULT))
          .as(second).isInstanceOf(BundleException.class)
          .hasMessageContaining("entry '" + second + "' appears twice").hasMessageContaining(zip.toString());
    }
  }

  @Test
  void refusesZipsOverTheSizeLimits() throws Exception {
    Path zip = tmp.resolve("big.zip");
    try (ZipOutputStream out = new ZipOutputStream(Files.newOutputStream(zip))) {
      out.putNextEntry(new ZipEntry("bundle.json"));
      out.write(new byte[100_000]);   // compresses to almost nothing: inflated size is what counts
    }
    ZipLimits tight = new ZipLimits(1 << 20, 10_000, 10_000, 10);
    assertThatThrownBy(() -> ModelBundle.open(zip, ManifestParser.strict(), tight))
        .isInstanceOf(BundleException.class).hasMessageContaining("limit");
    ZipLimits tinyZip = new ZipLimits(10, 1 << 20, 1 << 20, 10);
    assertThatThrownBy(() -> ModelBundle.open(zip, ManifestParser.strict(), tinyZip))
        .isInstanceOf(BundleException.class).hasMessageContaining("over the limit");
  }

  @Test
  void refusesANonZipFile() throws Exception {
    Path file = tmp.resolve("bundle.zip");
    Files.writeString(file, "not a zip");
    assertThatThrownBy(() -> ModelBundle.open(file)).isInstanceOf(BundleException.class)
        .hasMessageContaining("cannot read zip");
  }

  static Path zipOf(Path folder, Path zip, String prefix) throws IOException {
    try (ZipOutputStream out = new ZipOutputStream(Files.newOutputStream(zip));
        var files = Files.walk(folder)) {
      for (Path p : (Iterable<Path>) files::iterator) {
        if (Files.isRegularFile(p)) {
          out.putNextEntry(new ZipEntry(prefix + folder.relativize(p).toString().replace('\\', '/')));
          Files.copy(p, (OutputStream) out);
        }
      }
    }
    return zip;
  }
}
