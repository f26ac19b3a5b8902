package org.pgdiffseg.sdk.runtime;

import ai.onnxruntime.OrtEnvironment;
import com.google.common.hash.Hasher;
import com.google.common.hash.Hashing;
import com.google.common.io.MoreFiles;
import com.google.common.io.RecursiveDeleteOption;
import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.Field;
import java.net.JarURLConnection;
import java.net.URL;
import java.net.URLConnection;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.jar.JarEntry;
import org.pgdiffseg.sdk.CacheFolder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * ONNX Runtime's native libraries, extracted once per machine into the cache instead of by every JVM into the
 * temporary folder. ONNX Runtime's loader ({@code ai.onnxruntime.OnnxRuntime}) copies its libraries out of the
 * jar into a new {@code onnxruntime-java<N>} folder under {@code java.io.tmpdir} in each JVM and only marks them
 * for deletion at exit: the folder itself stays behind every time, and the libraries (32 MB from the GPU jar,
 * 615 MB once a session asked for CUDA) whenever the JVM does not exit normally. Given the system property
 * {@code onnxruntime.native.path}, it loads them from that folder instead and extracts nothing.
 *
 * <p>So before ONNX Runtime is first loaded, the libraries of this platform found in its jar (the GPU providers
 * only where a GPU is) are copied to
 * {@code <cache>/natives/onnxruntime-<version>/<os-arch>-<fingerprint>/} ({@link CacheFolder}; the fingerprint
 * is taken from the jar entries' sizes and CRCs, so the CPU and GPU jars of one version do not share a folder),
 * and the property points there. The copy is written into a staging folder beside it and renamed into place,
 * so concurrent JVMs never load a half-written library; later JVMs find the folder complete and copy nothing.
 * A path the host set itself is left alone, and any failure leaves ONNX Runtime's own extraction in place.
 *
 * <p>Static; thread-safe through {@link OrtEnvironments}, its only caller.
 */
final class OrtNatives {
  private static final Logger LOG = LoggerFactory.getLogger(OrtNatives.class);
  /** ONNX Runtime's system property for a folder holding its libraries. */
  static final String PATH_PROPERTY = "onnxruntime.native.path";
  /** Every library ONNX Runtime 1.29's loader looks for in that folder, by its short name. */
  private static final List<String> LIBRARIES = List.of("onnxruntime", "onnxruntime4j_jni",
      "onnxruntime_providers_shared", "onnxruntime_providers_cuda", "onnxruntime_providers_rocm",
      "onnxruntime_providers_dnnl", "onnxruntime_providers_openvino", "onnxruntime_providers_tensorrt",
      "onnxruntime_providers_qnn", "webgpu_dawn", "dxil", "dxcompiler");

  private record Library(String fileName, URL resource, long size, long crc) {}

  private OrtNatives() {}

  /**
   * Points ONNX Runtime at the cached libraries, extracting them first when needed, unless the host set
   * {@code onnxruntime.native.path} itself. Never throws: on failure ONNX Runtime extracts as it always did.
   *
   * @return the folder ONNX Runtime will load from, or empty where its own extraction stays in place
   */
  static Optional<Path> useCachedLibraries() {
    if (System.getProperty(PATH_PROPERTY) != null) {
      return Optional.empty();
    }
    Path natives = CacheFolder.root().resolve("natives");
    try {
      String version = Optional.ofNullable(OrtEnvironment.class.getPackage().getImplementationVersion()).orElse("unknown");
      Optional<Path> folder = prepare(natives, OrtEnvironment.class.getClassLoader(), version);
      folder.ifPresent(f -> System.setProperty(PATH_PROPERTY, f.toString()));
      return folder;
    } catch (IOException | RuntimeException e) {
      LOG.warn("ONNX Runtime's libraries cannot be cached in {} ({}); it extracts them into {} in this JVM", natives,
          e.toString(), System.getProperty("java.io.tmpdir"));
      return Optional.empty();
    }
  }

  /**
   * The folder under {@code nativesRoot} holding every library of ONNX Runtime {@code version} that
   * {@code loader} finds for this platform, extracted now if it was not already; empty where there is none
   * (libraries from {@code java.library.path}) or the platform is one ONNX Runtime does not name.
   */
  static Optional<Path> prepare(Path nativesRoot, ClassLoader loader, String version) throws IOException {
    return prepare(nativesRoot, loader, version, gpuPresent());
  }

  /**
   * As {@link #prepare(Path, ClassLoader, String)}; {@code gpu} says whether the GPU providers are copied too:
   * the CUDA provider alone is 580 MB, which a machine without a GPU would write (and a test run per module
   * would rewrite) for nothing. A folder made without them is completed once a GPU is there.
   */
  static Optional<Path> prepare(Path nativesRoot, ClassLoader loader, String version, boolean gpu)
      throws IOException {
    Optional<String> platform = platform();
    if (platform.isEmpty()) {
      return Optional.empty();
    }
    List<Library> all = libraries(loader, platform.get());
    if (all.stream().noneMatch(l -> l.fileName().equals(System.mapLibraryName("onnxruntime")))) {
      return Optional.empty();
    }
    List<Library> libraries = gpu ? all : all.stream().filter(l -> !isGpuProvider(l)).toList();
    Path folder = nativesRoot.resolve("onnxruntime-" + version).resolve(platform.get() + "-" + fingerprint(all));
    if (complete(folder, libraries)) {
      return Optional.of(folder);
    }
    Files.createDirectories(folder.getParent());
    if (Files.exists(folder)) {
      // Only a hand-edited or partly deleted folder gets here: set it aside, then extract afresh.
      LOG.warn("{} is incomplete; extracting ONNX Runtime's libraries again", folder);
      Path aside = folder.resolveSibling("." + folder.getFileName() + ".incomplete-" + ProcessHandle.current().pid());
      try {
        Files.move(folder, aside, StandardCopyOption.ATOMIC_MOVE);
        MoreFiles.deleteRecursively(aside, RecursiveDeleteOption.ALLOW_INSECURE);
      } catch (IOException e) {
        LOG.debug("{} was already set aside by another JVM: {}", folder, e.toString());
      }
    }
    Path staging = Files.createTempDirectory(folder.getParent(), "." + folder.getFileName() + ".staging-");
    try {
      for (Library library : libraries) {
        try (InputStream in = library.resource().openStream()) {
          Files.copy(in, staging.resolve(library.fileName()));
        }
      }
      if (!complete(staging, libraries)) {
        throw new IOException("the libraries extracted into " + staging + " do not have the sizes of the jar's entries");
      }
      try {
        Files.move(staging, folder, StandardCopyOption.ATOMIC_MOVE);
        LOG.info("Extracted ONNX Runtime {}'s libraries into {}", version, folder);
      } catch (IOException e) {
        if (!complete(folder, libraries)) {   // else another JVM renamed its copy into place first
          throw e;
        }
      }
      return Optional.of(folder);
    } finally {
      if (Files.exists(staging)) {
        MoreFiles.deleteRecursively(staging, RecursiveDeleteOption.ALLOW_INSECURE);
      }
    }
  }

  /**
   * Removes the empty {@code onnxruntime-java<N>} folder ONNX Runtime's loader created in the temporary folder
   * although it extracted nothing there, so that not even that is left when the JVM is killed. Best effort, once
   * ONNX Runtime is loaded; only when it loads from the cache (otherwise later provider libraries go there).
   */
  static void removeEmptyLoaderFolder(Class<?> ortClass) {
    try {
      Field field = Class.forName("ai.onnxruntime.OnnxRuntime", false, ortClass.getClassLoader())
          .getDeclaredField("tempDirectory");
      field.setAccessible(true);
      if (field.get(null) instanceof Path folder) {
        Files.deleteIfExists(folder);
      }
    } catch (ReflectiveOperationException | IOException | RuntimeException e) {
      LOG.debug("ONNX Runtime's temporary folder stays until the JVM exits: {}", e.toString());
    }
  }

  /** The providers that only serve a GPU (CUDA, TensorRT, ROCm). */
  static boolean isGpuProvider(Library library) {
    String name = library.fileName();
    return name.contains("providers_cuda") || name.contains("providers_tensorrt") || name.contains("providers_rocm");
  }

  /** An NVIDIA driver is loaded: only then can ONNX Runtime's CUDA provider run. */
  static boolean gpuPresent() {
    return Files.exists(Path.of("/proc/driver/nvidia/version")) || Files.exists(Path.of("/dev/nvidiactl"));
  }

  /** The platform folder name ONNX Runtime's jar uses ({@code linux-x64}, {@code osx-aarch64}, ...). */
  static Optional<String> platform() {
    String os = System.getProperty("os.name", "").toLowerCase(Locale.ROOT);
    String arch = System.getProperty("os.arch", "").toLowerCase(Locale.ROOT);
    String osName = os.contains("mac") || os.contains("darwin") ? "osx"
        : os.contains("win") ? "win" : os.contains("nux") ? "linux" : null;
    String archName = arch.startsWith("amd64") || arch.startsWith("x86_64") ? "x64"
        : arch.startsWith("aarch64") ? "aarch64" : null;
    return osName == null || archName == null ? Optional.empty() : Optional.of(osName + "-" + archName);
  }

  private static List<Library> libraries(ClassLoader loader, String platform) throws IOException {
    List<Library> found = new ArrayList<>();
    for (String name : LIBRARIES) {
      String fileName = System.mapLibraryName(name).replace("jnilib", "dylib");
      URL resource = loader.getResource("ai/onnxruntime/native/" + platform + "/" + fileName);
      if (resource == null) {
        continue;
      }
      // Sizes and CRCs come from the jar's directory: nothing is read or inflated to compare.
      URLConnection connection = resource.openConnection();
      if (connection instanceof JarURLConnection jar) {
        JarEntry entry = jar.getJarEntry();
        found.add(new Library(fileName, resource, entry.getSize(), entry.getCrc()));
      } else {
        found.add(new Library(fileName, resource, connection.getContentLengthLong(), -1));
      }
    }
    return found;
  }

  private static String fingerprint(List<Library> libraries) {
    Hasher hasher = Hashing.sha256().newHasher();
    for (Library l : libraries) {
      hasher.putString(l.fileName() + ":" + l.size() + ":" + l.crc() + "\n", StandardCharsets.UTF_8);
    }
    return hasher.hash().toString().substring(0, 12);
  }

  private static boolean complete(Path folder, List<Library> libraries) throws IOException {
    if (!Files.isDirectory(folder)) {
      return false;
    }
    for (Library l : libraries) {
      Path file = folder.resolve(l.fileName());
      if (!Files.isRegularFile(file) || (l.size() >= 0 && Files.size(file) != l.size())) {
        return false;
      }
    }
    return true;
  }
}
