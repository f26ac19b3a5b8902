package org.pgdiffseg.sdk.bundle;

import com.google.common.hash.Hashing;
import com.google.common.io.MoreFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import org.pgdiffseg.sdk.BundleException;
import org.pgdiffseg.sdk.CacheFolder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A verified model bundle on local disk: its folder and parsed manifest. {@link #open} checks the
 * manifest and the sha256 of every file it lists before any graph can be opened. Immutable and
 * thread-safe.
 */
public final class ModelBundle {
  private static final Logger LOG = LoggerFactory.getLogger(ModelBundle.class);
  public static final String MANIFEST = "bundle.json";

  private final Path root;
  private final BundleManifest manifest;
  private final Map<String, Object> schedulerConfig;

  private ModelBundle(Path root, BundleManifest manifest, Map<String, Object> schedulerConfig) {
    this.root = root;
    this.manifest = manifest;
    this.schedulerConfig = schedulerConfig;
  }

  /**
   * Opens a bundle folder, or a {@code .zip} of one, in strict mode. A zip is unpacked once into the cache
   * ({@link CacheFolder}: {@code <cache>/unpacked/<sha256 of the zip>}), which later opens of the same zip reuse, in
   * this JVM and others; a zip that is refused leaves nothing behind.
   */
  public static ModelBundle open(Path folderOrZip) throws BundleException {
    return open(folderOrZip, ManifestParser.strict(), ZipLimits.DEFAULT);
  }

  public static ModelBundle open(Path folderOrZip, ManifestParser parser, ZipLimits limits) throws BundleException {
    if (!Files.exists(folderOrZip)) {
      throw new BundleException(folderOrZip + ": no such bundle folder or zip");
    }
    if (!Files.isRegularFile(folderOrZip)) {
      return openFolder(folderOrZip, parser);
    }
    Path folder = UnpackedZips.folderFor(folderOrZip, limits);
    try {
      return openFolder(folder, parser);
    } catch (BundleException refused) {
      UnpackedZips.discard(folder);
      throw refused;
    }
  }

  /**
   * Unpacks a zipped bundle into the empty folder {@code target} with the same safety checks as
   * {@link #open}, without verifying it; callers open the result.
   */
  public static Path unpack(Path zip, Path target, ZipLimits limits) throws BundleException {
    return ZipBundleExtractor.extract(zip, target, limits);
  }

  private static ModelBundle openFolder(Path folder, ManifestParser parser) throws BundleException {
    Path root;
    try {
      root = folder.toRealPath();
    } catch (IOException e) {
      throw new BundleException(folder + ": cannot resolve bundle folder: " + e.getMessage(), e);
    }
    Path manifestFile = root.resolve(MANIFEST);
    if (!Files.isRegularFile(manifestFile)) {
      throw new BundleException(root + ": missing " + MANIFEST);
    }
    BundleManifest manifest;
    try {
      manifest = parser.parse(Files.readAllBytes(manifestFile), manifestFile.toString());
    } catch (IOException e) {
      throw new BundleException(manifestFile + ": cannot read: " + e.getMessage(), e);
    }
    verifyChecksums(root, manifest);
    Map<String, Object> schedulerConfig = manifest.samplingDefaults().schedulerConfig() == null
        ? null : SchedulerConfigFile.read(root, manifest);
    ModelBundle bundle = new ModelBundle(root, manifest, schedulerConfig);
    LOG.debug("Opened bundle {} {} from {}", manifest.id(), manifest.version(), root);
    return bundle;
  }

  /** Checks the sha256 of both graphs and of every file in the manifest's {@code files} map. */
  private static void verifyChecksums(Path root, BundleManifest manifest) throws BundleException {
    for (var graph : manifest.graphs().entrySet()) {
      verify(root, graph.getValue().file(), graph.getValue().sha256(), "graphs." + graph.getKey() + ".sha256");
    }
    for (Map.Entry<String, String> file : manifest.files().entrySet()) {
      verify(root, file.getKey(), file.getValue(), "files." + file.getKey());
    }
  }

  private static void verify(Path root, String relative, String expected, String key) throws BundleException {
    Path file = resolveInside(root, relative);
    if (!Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS)) {
      throw new BundleException(root + ": missing file '" + relative + "' listed in " + MANIFEST + " (" + key + ")");
    }
    String actual;
    try {
      actual = MoreFiles.asByteSource(file).hash(Hashing.sha256()).toString();
    } catch (IOException e) {
      throw new BundleException(file + ": cannot read: " + e.getMessage(), e);
    }
    if (!actual.equals(expected)) {
      throw new BundleException("Checksum error: " + file + ", expected " + expected + " (" + key + "), actual " + actual);
    }
  }

  private static Path resolveInside(Path root, String relative) throws BundleException {
    Path file = root.resolve(relative).normalize();
    if (!file.startsWith(root)) {
      throw new BundleException(root + ": '" + relative + "' is outside the bundle folder");
    }
    return file;
  }

  public Path root() {
    return root;
  }

  public BundleManifest manifest() {
    return manifest;
  }

  /**
   * The keys of the diffusers scheduler_config.json that {@code sampling_defaults.scheduler_config} names, checked
   * against bundle.json when the bundle was opened; empty when the bundle has none. Unmodifiable.
   */
  public Optional<Map<String, Object>> schedulerConfig() {
    return Optional.ofNullable(schedulerConfig);
  }

  /** Path of a graph file ({@link BundleManifest#PRIOR} or {@link BundleManifest#DENOISER}). */
  public Path graphPath(String graph) {
    return root.resolve(manifest.graphs().get(graph).file());
  }

  @Override
  public String toString() {
    return manifest.id() + " " + manifest.version() + " (" + root + ")";
  }
}
