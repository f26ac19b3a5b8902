package org.pgdiffseg.sdk.bundle;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.common.hash.Hashing;
import com.google.common.io.MoreFiles;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pgdiffseg.sdk.BundleException;
import org.pgdiffseg.sdk.CacheFolder;

/**
 * Zipped bundles are unpacked once into the cache, content-addressed, and reused by later opens in this JVM and
 * others; a killed run leaves nothing in the temporary folder, and a refused zip leaves nothing at all.
 */
class UnpackedZipsTest {
  @TempDir Path tmp;

  static String sha256(Path file) throws Exception {
    return MoreFiles.asByteSource(file).hash(Hashing.sha256()).toString();
  }

  static List<String> names(Path folder) throws Exception {
    try (var entries = Files.list(folder)) {
      return entries.map(p -> p.getFileName().toString()).sorted().toList();
    }
  }

  @Test
  void aZipIsUnpackedOnceIntoTheCacheAndReused() throws Exception {
    Path zip = ModelBundleTest.zipOf(TestBundles.tiny(), tmp.resolve("tiny.zip"), "");
    Path cache = tmp.resolve("cache");
    Path first = UnpackedZips.folderFor(zip, ZipLimits.DEFAULT, cache);
    assertThat(first).isEqualTo(cache.resolve("unpacked").resolve(sha256(zip)));
    assertThat(UnpackedZips.folderFor(zip, ZipLimits.DEFAULT, cache)).isEqualTo(first);
    assertThat(names(cache.resolve("unpacked"))).containsExactly(".lock", sha256(zip));
    ModelBundle opened = ModelBundle.open(zip);   // the build's cache (pgdiffseg.cache, set for the tests)
    assertThat(opened.root()).isEqualTo(
        CacheFolder.root().resolve("unpacked").resolve(sha256(zip)).toRealPath());
    assertThat(ModelBundle.open(zip).root()).isEqualTo(opened.root());
  }

  @Test
  void aKilledRunLeavesNothingInTheTemporaryFolderAndTheNextRunReusesItsCopy() throws Exception {
    Path zip = ModelBundleTest.zipOf(TestBundles.tiny(), tmp.resolve("tiny.zip"), "");
    Path cache = tmp.resolve("cache");
    Path privateTmp = Files.createDirectories(tmp.resolve("java-tmp"));
    ProcessBuilder child = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-cp", System.getProperty("java.class.path"), "-Djava.io.tmpdir=" + privateTmp, "-Dpgdiffseg.cache=" + cache,
        OpenZipAndWait.class.getName(), zip.toString())
        .redirectError(tmp.resolve("child-stderr.txt").toFile());
    child.environment().remove(CacheFolder.ENV);
    Process run = child.start();
    String opened;
    try (BufferedReader out = new BufferedReader(new InputStreamReader(run.getInputStream(), StandardCharsets.UTF_8))) {
      opened = out.readLine();
    } finally {
      run.destroyForcibly();   // SIGKILL: no shutdown hook runs
      assertThat(run.waitFor(60, TimeUnit.SECONDS)).isTrue();
    }
    assertThat(opened).as(Files.readString(tmp.resolve("child-stderr.txt"))).isNotNull();
    Path folder = cache.resolve("unpacked").resolve(sha256(zip));
    assertThat(Path.of(opened)).isEqualTo(folder.toRealPath());
    assertThat(names(privateTmp)).isEmpty();
    long unpackedAt = Files.getLastModifiedTime(folder.resolve("bundle.json")).toMillis();

    assertThat(UnpackedZips.folderFor(zip, ZipLimits.DEFAULT, cache)).isEqualTo(folder);
    assertThat(Files.getLastModifiedTime(folder.resolve("bundle.json")).toMillis()).isEqualTo(unpackedAt);
    assertThat(names(cache.resolve("unpacked"))).containsExactly(".lock", sha256(zip));
  }

  @Test
  void aLinkInTheCacheIsRefused() throws Exception {
    Path zip = ModelBundleTest.zipOf(TestBundles.tiny(), tmp.resolve("tiny.zip"), "");
    Path cache = Files.createDirectories(tmp.resolve("cache"));
    Path elsewhere = Files.createDirectories(tmp.resolve("elsewhere"));
    Files.createSymbolicLink(cache.resolve("unpacked"), elsewhere);
    assertThatThrownBy(() -> UnpackedZips.folderFor(zip, ZipLimits.DEFAULT, cache))
        .isInstanceOf(BundleException.class).hasMessageContaining("is a symbolic link to " + elsewhere);
    assertThat(names(elsewhere)).isEmpty();
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
    Path cache = tmp.resolve("cache");
    assertThatThrownBy(() -> UnpackedZips.folderFor(zip, new ZipLimits(1 << 20, 4 << 20, 1 << 20, 10), cache))
        .isInstanceOf(BundleException.class).hasMessageContaining("limit");
    assertThat(names(cache.resolve("unpacked"))).containsExactly(".lock");
  }

  @Test
  void aZipRefusedForItsContentLeavesNoFolder() throws Exception {
    Path copy = TestBundles.copyOfTiny(tmp);
    Files.writeString(copy.resolve("prior.onnx"), "tampered");
    Path zip = ModelBundleTest.zipOf(copy, tmp.resolve("tampered.zip"), "");
    assertThatThrownBy(() -> ModelBundle.open(zip)).isInstanceOf(BundleException.class).hasMessageContaining("Checksum");
    assertThat(CacheFolder.root().resolve("unpacked").resolve(sha256(zip))).doesNotExist();
  }
}
