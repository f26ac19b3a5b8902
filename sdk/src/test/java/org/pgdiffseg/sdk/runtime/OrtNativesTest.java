package org.pgdiffseg.sdk.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pgdiffseg.sdk.CacheFolder;
import org.pgdiffseg.sdk.bundle.ModelBundle;
import org.pgdiffseg.sdk.bundle.TestBundles;
import org.pgdiffseg.sdk.pipeline.SegmentationResult;
import org.pgdiffseg.sdk.pipeline.Segmenter;

class OrtNativesTest {
  private static final String PLATFORM = OrtNatives.platform().orElseThrow();

  /**
   * Two JVMs with a private temporary folder each segment an image: the first extracts ONNX Runtime's libraries
   * into the cache, the second loads the same files, and neither leaves anything in the temporary folder, not
   * even while it runs.
   */
  @Test
  void jvmsThatSegmentLeaveNothingInTheTemporaryFolderAndShareOneExtraction(@TempDir Path dir) throws Exception {
    Path cache = dir.resolve("cache");
    Path tmp = Files.createDirectories(dir.resolve("tmp"));

    List<String> first = runChild(cache, tmp);
    Path folder = Path.of(valueOf(first, "native.path="));
    assertThat(folder.getParent()).isEqualTo(cache.resolve("natives").resolve("onnxruntime-1.29.0"));
    assertThat(folder.getFileName().toString()).startsWith(PLATFORM + "-");
    assertThat(valueOf(first, "tmp.during=")).isEmpty();
    assertThat(listing(tmp)).isEmpty();
    Path library = folder.resolve(System.mapLibraryName("onnxruntime"));
    BasicFileAttributes extracted = Files.readAttributes(library, BasicFileAttributes.class);

    List<String> second = runChild(cache, tmp);
    assertThat(valueOf(second, "native.path=")).isEqualTo(folder.toString());
    assertThat(valueOf(second, "tmp.during=")).isEmpty();
    assertThat(listing(tmp)).isEmpty();
    BasicFileAttributes reused = Files.readAttributes(library, BasicFileAttributes.class);
    assertThat(reused.fileKey()).isEqualTo(extracted.fileKey());
    assertThat(reused.lastModifiedTime()).isEqualTo(extracted.lastModifiedTime());
    assertThat(listing(folder.getParent())).containsExactly(folder.getFileName().toString());
  }

  @Test
  void concurrentFirstUsesRenameOneCompleteCopyIntoPlace(@TempDir Path dir) throws Exception {
    try (URLClassLoader jar = fakeOrtJar(dir, "libonnxruntime.so", "libonnxruntime4j_jni.so")) {
      Path natives = dir.resolve("natives");
      ExecutorService pool = Executors.newFixedThreadPool(4);
      List<Future<Optional<Path>>> results = new ArrayList<>();
      for (int i = 0; i < 8; i++) {
        results.add(pool.submit(() -> OrtNatives.prepare(natives, jar, "9.9.9")));
      }
      pool.shutdown();
      assertThat(pool.awaitTermination(60, TimeUnit.SECONDS)).isTrue();
      Path folder = results.getFirst().get().orElseThrow();
      for (Future<Optional<Path>> r : results) {
        assertThat(r.get()).contains(folder);
      }
      assertThat(listing(natives.resolve("onnxruntime-9.9.9"))).containsExactly(folder.getFileName().toString());
      assertThat(Files.readString(folder.resolve(System.mapLibraryName("onnxruntime"))))
          .isEqualTo("contents of libonnxruntime.so");
    }
  }

  @Test
  void anIncompleteFolderIsExtractedAgain(@TempDir Path dir) throws Exception {
    try (URLClassLoader jar = fakeOrtJar(dir, "libonnxruntime.so", "libonnxruntime4j_jni.so")) {
      Path natives = dir.resolve("natives");
      Path folder = OrtNatives.prepare(natives, jar, "9.9.9").orElseThrow();
      Files.delete(folder.resolve("libonnxruntime4j_jni.so"));
      assertThat(OrtNatives.prepare(natives, jar, "9.9.9")).contains(folder);
      assertThat(Files.readString(folder.resolve("libonnxruntime4j_jni.so"))).isEqualTo("contents of libonnxruntime4j_jni.so");
      assertThat(listing(natives.resolve("onnxruntime-9.9.9"))).containsExactly(folder.getFileName().toString());
    }
  }

  @Test
  void otherLibrariesOfOneVersionGetAnotherFolder(@TempDir Path dir) throws Exception {
    Path natives = dir.resolve("natives");
    try (URLClassLoader cpu = fakeOrtJar(dir.resolve("cpu"), "libonnxruntime.so");
        URLClassLoader gpu = fakeOrtJar(dir.resolve("gpu"), "libonnxruntime.so", "libonnxruntime_providers_cuda.so")) {
      assertThat(OrtNatives.prepare(natives, cpu, "9.9.9")).isNotEqualTo(OrtNatives.prepare(natives, gpu, "9.9.9"));
    }
  }

  @Test
  void theCudaProviderIsCopiedOnlyWhereAGpuIsAndAddedOnceOneIs(@TempDir Path dir) throws Exception {
    Path natives = dir.resolve("natives");
    try (URLClassLoader gpuJar = fakeOrtJar(dir.resolve("gpu"), "libonnxruntime.so",
        "libonnxruntime_providers_shared.so", "libonnxruntime_providers_cuda.so")) {
      Path folder = OrtNatives.prepare(natives, gpuJar, "9.9.9", false).orElseThrow();
      assertThat(listing(folder)).containsExactlyInAnyOrder("libonnxruntime.so", "libonnxruntime_providers_shared.so");
      assertThat(OrtNatives.prepare(natives, gpuJar, "9.9.9", true)).contains(folder);
      assertThat(listing(folder)).contains("libonnxruntime_providers_cuda.so");
    }
  }

  @Test
  void withoutLibrariesInTheJarNothingIsExtracted(@TempDir Path dir) throws Exception {
    try (URLClassLoader jar = fakeOrtJar(dir, "libsomethingelse.so")) {
      assertThat(OrtNatives.prepare(dir.resolve("natives"), jar, "9.9.9")).isEmpty();
      assertThat(dir.resolve("natives")).doesNotExist();
    }
  }

  /** A jar holding {@code ai/onnxruntime/native/<platform>/<name>} for each name, each file its own text. */
  private static URLClassLoader fakeOrtJar(Path dir, String... names) throws IOException {
    Path jar = Files.createDirectories(dir).resolve("onnxruntime-fake.jar");
    try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(jar))) {
      for (String name : names) {
        out.putNextEntry(new JarEntry("ai/onnxruntime/native/" + PLATFORM + "/" + name));
        out.write(("contents of " + name).getBytes(StandardCharsets.UTF_8));
        out.closeEntry();
      }
    }
    return new URLClassLoader(new URL[] {jar.toUri().toURL()}, null);
  }

  private static List<String> runChild(Path cache, Path tmp) throws Exception {
    ProcessBuilder builder = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "--enable-native-access=ALL-UNNAMED", "-Djava.io.tmpdir=" + tmp, "-D" + CacheFolder.PROPERTY + "=" + cache,
        "-cp", System.getProperty("java.class.path"), SegmentOnce.class.getName())
        .redirectErrorStream(true);
    builder.environment().remove(CacheFolder.ENV);
    Process child = builder.start();
    String output;
    try (var in = child.getInputStream()) {
      output = new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
    assertThat(child.waitFor(120, TimeUnit.SECONDS)).isTrue();
    assertThat(child.exitValue()).as(output).isZero();
    return output.lines().toList();
  }

  private static String valueOf(List<String> lines, String prefix) {
    return lines.stream().filter(l -> l.startsWith(prefix)).map(l -> l.substring(prefix.length())).findFirst()
        .orElseThrow(() -> new AssertionError("no " + prefix + " in " + lines));
  }

  private static List<String> listing(Path folder) throws IOException {
    try (Stream<Path> files = Files.list(folder)) {
      return files.map(p -> p.getFileName().toString()).sorted().toList();
    }
  }

  /** The child JVM: segments a shipped ultrasound image, then reports where ONNX Runtime loaded from. */
  static final class SegmentOnce {
    public static void main(String[] args) throws Exception {
      Path image = TestBundles.tiny().resolve("../../../samples/images/benign_306.png").normalize();
      try (Segmenter segmenter = Segmenter.builder().bundle(ModelBundle.open(TestBundles.tiny())).steps(2)
          .sessionConfig(SessionConfig.cpuOnly()).build()) {
        SegmentationResult result = segmenter.segment(image);
        System.out.println("mask.width=" + result.mask().width());
      }
      System.out.println("native.path=" + System.getProperty(OrtNatives.PATH_PROPERTY));
      System.out.println("tmp.during=" + String.join(",", listing(Path.of(System.getProperty("java.io.tmpdir")))));
    }
  }
}
