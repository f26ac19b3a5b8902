package org.pgdiffseg.zoo;

import static com.google.common.base.Preconditions.checkArgument;

import com.google.common.hash.Hashing;
import com.google.common.io.MoreFiles;
import com.google.common.io.RecursiveDeleteOption;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Predicate;
import java.util.Optional;
import java.util.concurrent.locks.Lock;
import com.google.common.util.concurrent.Striped;
import org.pgdiffseg.sdk.BundleException;
import org.pgdiffseg.sdk.CacheFolder;
import org.pgdiffseg.sdk.bundle.BundleManifest;
import org.pgdiffseg.sdk.bundle.ModelBundle;
import org.pgdiffseg.sdk.bundle.PlainName;
import org.pgdiffseg.sdk.bundle.UnlinkedPath;
import org.pgdiffseg.sdk.bundle.ZipLimits;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Resolves a model id (or a folder / zip path) to a verified local bundle, trying in turn: a path on
 * disk, the local cache, the bundles embedded in this jar, and the URL the index gives (DJL's
 * {@code Criteria.loadModel} manner). Installs go to a temporary folder beside the cache entry, are
 * verified, then moved into place, so a half-written entry is never seen. The zoo never follows a link below its
 * cache root, and replaces only entries it installed itself (they hold {@link #INSTALLED_MARKER}). Thread-safe;
 * concurrent installs of one id, in one or several processes, are safe.
 */
public final class ModelZoo {
  private static final Logger LOG = LoggerFactory.getLogger(ModelZoo.class);
  public static final String CACHE_ENV = CacheFolder.ENV;
  public static final String CACHE_PROPERTY = CacheFolder.PROPERTY;
  /** The file every entry the zoo installs holds: only such entries are ever replaced. */
  public static final String INSTALLED_MARKER = ".pgdiffseg-zoo-entry";
  static final String EMBEDDED_ROOT = "/org/pgdiffseg/zoo/models/";
  private static final Striped<Lock> INSTALL_LOCKS = Striped.lock(16);

  /** How long a download may go without receiving a byte before it is abandoned. */
  public static final Duration DEFAULT_IDLE_TIMEOUT = DownloadLimits.DEFAULT.idleTimeout();
  /** Staging folders older than this were left by a process that died; the next install removes them. */
  private static final Duration STALE_STAGING = Duration.ofHours(24);

  private final Path cacheRoot;
  private final ZooIndex index;
  private final HttpClient http;
  private final DownloadLimits downloadLimits;

  public ModelZoo(Path cacheRoot, ZooIndex index) {
    this(cacheRoot, index, DownloadLimits.DEFAULT);
  }

  /** A zoo whose downloads are abandoned after {@code idleTimeout} without data (other limits: defaults). */
  public ModelZoo(Path cacheRoot, ZooIndex index, Duration idleTimeout) {
    this(cacheRoot, index, DownloadLimits.DEFAULT.withIdleTimeout(idleTimeout));
  }

  private ModelZoo(Path cacheRoot, ZooIndex index, DownloadLimits downloadLimits) {
    this.cacheRoot = cacheRoot.toAbsolutePath().normalize();
    this.index = index;
    this.downloadLimits = downloadLimits;
    this.http = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NORMAL)
        .connectTimeout(Duration.ofSeconds(20)).build();
  }

  /** A zoo over {@code cacheRoot} and {@code index}; download limits default to {@link DownloadLimits#DEFAULT}. */
  public static Builder builder(Path cacheRoot, ZooIndex index) {
    return new Builder(cacheRoot, index);
  }

  /** Settings of a {@link ModelZoo}; not thread-safe. */
  public static final class Builder {
    private final Path cacheRoot;
    private final ZooIndex index;
    private DownloadLimits limits = DownloadLimits.DEFAULT;

    private Builder(Path cacheRoot, ZooIndex index) {
      this.cacheRoot = cacheRoot;
      this.index = index;
    }

    /** Downloads are abandoned after this long without a byte (default 60 s). */
    public Builder idleTimeout(Duration idle) {
      limits = limits.withIdleTimeout(idle);
      return this;
    }

    /** Downloads are abandoned when not complete after this long (default 1 h). */
    public Builder deadline(Duration total) {
      limits = limits.withDeadline(total);
      return this;
    }

    /** Downloads are abandoned when fewer than {@code bytesPerSecond} arrive over any {@code window}
     * (default 8 KiB/s over 60 s). */
    public Builder minimumRate(long bytesPerSecond, Duration window) {
      limits = limits.withMinimumRate(bytesPerSecond, window);
      return this;
    }

    public Builder downloadLimits(DownloadLimits downloadLimits) {
      limits = downloadLimits;
      return this;
    }

    public ModelZoo build() {
      return new ModelZoo(cacheRoot, index, limits);
    }
  }

  /** The zoo over the embedded index and the default cache folder. */
  public static ModelZoo defaultZoo() throws BundleException {
    return new ModelZoo(defaultCacheRoot(), ZooIndex.embedded());
  }

  /**
   * True when {@code entry}, without {@link #INSTALLED_MARKER}, looks like what a zoo from before the marker
   * installed (every cache made until then holds such entries): a folder at {@code <id>/<version>} whose own
   * bundle.json (a regular file) names that id and version. Such an entry is moved aside, never deleted, when it
   * must be replaced: without that, each upgrade that ships a rebuilt embedded model would refuse every existing
   * cache.
   */
  static boolean isEarlierZoosEntry(Path entry) {
    Path manifest = entry.resolve(ModelBundle.MANIFEST);
    try {
      if (!Files.isRegularFile(manifest, LinkOption.NOFOLLOW_LINKS) || Files.size(manifest) > (16L << 20)) {
        return false;
      }
      var json = new com.fasterxml.jackson.databind.ObjectMapper().readTree(manifest.toFile());
      return json != null && entry.getParent() != null
          && json.path("id").asText("").equals(entry.getParent().getFileName().toString())
          && json.path("version").asText("").equals(entry.getFileName().toString());
    } catch (IOException | RuntimeException e) {
      return false;
    }
  }

  /** {@code ModelZoo.defaultZoo().resolve(idOrPath)}. */
  public static ModelBundle resolve(String idOrPath) throws BundleException {
    return defaultZoo().get(idOrPath);
  }

  /** Cache root: $PGDIFFSEG_CACHE, else the system property pgdiffseg.cache, else ~/.pgdiffseg ({@link CacheFolder}). */
  public static Path defaultCacheRoot() {
    return CacheFolder.root();
  }

  public ZooIndex index() {
    return index;
  }

  public Path cacheRoot() {
    return cacheRoot;
  }

  /**
   * Where an id's bundle lives once installed: {@code <cache>/models/<id>/<version>}. Both names must be plain
   * ({@link PlainName}), so that no manifest can place an entry, or have one deleted, outside the cache.
   */
  public Path cacheEntry(String id, String version) {
    checkArgument(PlainName.isPlain(id), "not a model id: '%s' (expected a plain name)", id);
    checkArgument(PlainName.isPlain(version), "not a model version: '%s' (expected a plain name)", version);
    Path models = cacheRoot.resolve("models");
    Path entry = models.resolve(id).resolve(version).normalize();
    checkArgument(entry.startsWith(models) && entry.getNameCount() == models.getNameCount() + 2,
        "cache entry %s lies outside %s", entry, models);
    return entry;
  }

  /** {@link #cacheEntry} for names read from a manifest: a name that is not plain refuses the bundle. */
  private Path cacheEntryOf(BundleManifest manifest) throws BundleException {
    try {
      return cacheEntry(manifest.id(), manifest.version());
    } catch (IllegalArgumentException e) {
      throw new BundleException("refusing bundle: " + e.getMessage(), e);
    }
  }

  /** The default model of the index. */
  public ModelBundle getDefault() throws BundleException {
    return get(index.defaultEntry().id());
  }

  /** Resolves {@code idOrPath}; when every source fails, throws with the last failure as cause. */
  public ModelBundle get(String idOrPath) throws BundleException {
    List<String> tried = new ArrayList<>();
    BundleException last = null;
    Path asPath = asPath(idOrPath);
    if (asPath != null && Files.exists(asPath)) {
      return ModelBundle.open(asPath);
    }
    ZooEntry e = index.require(idOrPath);
    Path cached = cacheEntry(e.id(), e.version());
    UnlinkedPath.require(cacheRoot, cached);   // a linked entry is neither used nor replaced
    // An embedded bundle's cached copy counts only while it is the copy of this jar's bundle: a rebuilt model
    // shipped under the same version must not be shadowed by the cache.
    Predicate<ModelBundle> current = e.embedded() ? bundle -> sameManifest(bundle, e.folder()) : bundle -> true;
    if (Files.isDirectory(cached, LinkOption.NOFOLLOW_LINKS)) {
      tried.add("cache " + cached);
      try {
        ModelBundle bundle = ModelBundle.open(cached);
        if (current.test(bundle)) {
          return bundle;
        }
        LOG.info("Cached bundle {} differs from the one embedded in this jar; installing that one", cached);
      } catch (BundleException failure) {
        LOG.warn("Cached bundle {} failed verification, installing it again: {}", cached, failure.getMessage());
        last = failure;
      }
    }
    try {
      if (e.embedded()) {
        tried.add("embedded " + EMBEDDED_ROOT + e.folder());
        return install(e, target -> copyEmbedded(e.folder(), target), current);
      }
      tried.add("url " + e.source());
      URI uri = URI.create(e.source());
      return install(e, target -> unpackDownload(uri, e.sha256(), "http".equals(uri.getScheme()), target), current);
    } catch (BundleException failure) {
      if (last != null) {
        failure.addSuppressed(last);
      }
      // the last failure's sentence is part of the message: the CLI prints only the message, not its causes
      throw new BundleException("cannot resolve model '" + idOrPath + "' (tried " + String.join(", ", tried) + "): "
          + failure.getMessage(), failure);
    }
  }

  /**
   * Reports what {@code idOrPath} holds without changing anything: a bundle folder or zip is opened and verified;
   * for a zoo id, the cache entry is verified where it is (never installed, repaired or deleted), a missing or
   * linked entry is reported as such.
   */
  public Verification verify(String idOrPath) throws BundleException {
    Path asPath = asPath(idOrPath);
    if (asPath != null && Files.exists(asPath)) {
      try {
        return verified(idOrPath, ModelBundle.open(asPath));
      } catch (BundleException failed) {
        return new Verification(idOrPath, Verification.Outcome.FAILED, failed.getMessage());
      }
    }
    ZooEntry e = index.require(idOrPath);
    Path cached = cacheEntry(e.id(), e.version());
    try {
      UnlinkedPath.require(cacheRoot, cached);
    } catch (BundleException linked) {
      return new Verification(idOrPath, Verification.Outcome.LINKED, linked.getMessage());
    }
    if (!Files.exists(cached, LinkOption.NOFOLLOW_LINKS)) {
      return new Verification(idOrPath, Verification.Outcome.MISSING, "not in the cache (" + cached
          + "); the first command that uses it installs it there");
    }
    if (!Files.isDirectory(cached, LinkOption.NOFOLLOW_LINKS)) {
      return new Verification(idOrPath, Verification.Outcome.FAILED, cached + ": not a folder");
    }
    ModelBundle bundle;
    try {
      bundle = ModelBundle.open(cached);
    } catch (BundleException failed) {
      return new Verification(idOrPath, Verification.Outcome.FAILED, failed.getMessage());
    }
    if (e.embedded() && !sameManifest(bundle, e.folder())) {
      return new Verification(idOrPath, Verification.Outcome.STALE, cached + ": a valid bundle, but not the one"
          + " embedded in this jar; the next command that uses the model installs that one");
    }
    return verified(idOrPath, bundle);
  }

  private static Verification verified(String model, ModelBundle bundle) {
    BundleManifest m = bundle.manifest();
    return new Verification(model, Verification.Outcome.OK, m.id() + " " + m.version() + ": manifest valid, "
        + (m.files().size() + m.graphs().size()) + " files match their sha256 (" + bundle.root() + ")");
  }

  /**
   * A file of a zoo model, read without resolving the model, so nothing is installed or verified: the cache
   * entry's copy when the entry is there, else the copy embedded in this jar; empty when neither holds it (a
   * model from a URL that was never pulled). Only a regular file is read, at most {@link SmallTextFile#MAX_BYTES}.
   */
  public Optional<String> readFile(ZooEntry entry, String file) throws BundleException {
    Path folder = cacheEntry(entry.id(), entry.version());
    Path cached = folder.resolve(file).normalize();
    if (!cached.startsWith(folder)) {
      throw new BundleException(cached + ": '" + file + "' is outside the cache entry " + folder);
    }
    UnlinkedPath.require(cacheRoot, cached);
    if (Files.exists(cached, LinkOption.NOFOLLOW_LINKS)) {
      return Optional.of(SmallTextFile.read(cached));
    }
    if (!entry.embedded() || ModelZoo.class.getResource(EMBEDDED_ROOT + entry.folder() + "/" + file) == null) {
      return Optional.empty();
    }
    return Optional.of(new String(readResource(EMBEDDED_ROOT + entry.folder() + "/" + file),
        java.nio.charset.StandardCharsets.UTF_8));
  }

  /**
   * Downloads a zipped bundle from {@code source} (https, or http only when {@code allowPlainHttp}; file
   * URLs and paths too), checks its sha256 when given, unpacks it and installs it into the cache under the
   * id and version its manifest declares.
   */
  public ModelBundle pull(URI source, String expectedSha256, boolean allowPlainHttp) throws BundleException {
    Path staging = newStaging("pull");
    try {
      Path unpacked = unpackDownload(source, expectedSha256, allowPlainHttp, staging.resolve("bundle"));
      BundleManifest manifest = ModelBundle.open(unpacked).manifest();
      Path target = cacheEntryOf(manifest);
      markInstalled(unpacked);
      return moveIntoPlace(unpacked, target, present -> true);
    } finally {
      deleteQuietly(staging);
    }
  }

  /** Fills a folder with a bundle's files. */
  @FunctionalInterface
  private interface Installer {
    Path fill(Path target) throws BundleException;
  }

  private ModelBundle install(ZooEntry e, Installer installer, Predicate<ModelBundle> keepPresent)
      throws BundleException {
    Path staging = newStaging(e.id());
    try {
      Path filled = installer.fill(staging.resolve("bundle"));
      BundleManifest manifest = ModelBundle.open(filled).manifest();   // verify before it becomes visible
      if (!manifest.id().equals(e.id()) || !manifest.version().equals(e.version())) {
        throw new BundleException("the index lists " + e.id() + " " + e.version() + ", but its bundle is "
            + manifest.id() + " " + manifest.version());
      }
      markInstalled(filled);
      return moveIntoPlace(filled, cacheEntry(e.id(), e.version()), keepPresent);
    } finally {
      deleteQuietly(staging);
    }
  }

  /** Marks a staged bundle as the zoo's own, so that the zoo may replace it later; no other entry is replaced. */
  private static void markInstalled(Path staged) throws BundleException {
    try {
      Files.writeString(staged.resolve(INSTALLED_MARKER),
          "Installed by the PGDiffSeg model zoo, which replaces only cache entries holding this file.\n");
    } catch (IOException e) {
      throw new BundleException("cannot write " + staged.resolve(INSTALLED_MARKER) + ": " + e.getMessage(), e);
    }
  }

  /**
   * Moves a verified bundle into {@code target} under a lock (threads of this JVM through a striped lock,
   * other processes through a file lock). An entry already there that verifies and that {@code keepPresent}
   * accepts wins and ours is discarded; any other is replaced when the zoo installed it, else refused. Nothing
   * below the cache root may be a link: the lock, the folders and the entry are all checked first.
   */
  private ModelBundle moveIntoPlace(Path verified, Path target, Predicate<ModelBundle> keepPresent)
      throws BundleException {
    Lock local = INSTALL_LOCKS.get(target);
    local.lock();
    Path lockFile = target.resolveSibling(target.getFileName() + ".lock");
    try {
      UnlinkedPath.require(cacheRoot, lockFile);
      UnlinkedPath.require(cacheRoot, target);
      Files.createDirectories(target.getParent());
      try (FileChannel channel = FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
              LinkOption.NOFOLLOW_LINKS);
          FileLock ignored = channel.lock()) {
        UnlinkedPath.require(cacheRoot, target);   // again, now that no other install can be changing it
        if (Files.isDirectory(target, LinkOption.NOFOLLOW_LINKS)) {
          String failure = null;
          try {
            ModelBundle present = ModelBundle.open(target);
            if (keepPresent.test(present)) {
              LOG.debug("{} was installed concurrently; using that copy", target);
              return present;
            }
          } catch (BundleException stale) {
            failure = stale.getMessage();
          }
          if (Files.isRegularFile(target.resolve(INSTALLED_MARKER), LinkOption.NOFOLLOW_LINKS)) {
            // A rename moves the old entry itself, never what a link points to; it goes with the staging folder.
            Files.move(target, verified.resolveSibling("replaced"), StandardCopyOption.ATOMIC_MOVE);
          } else if (isEarlierZoosEntry(target)) {
            // Installed before the marker existed, or put there by hand: indistinguishable, so kept, not deleted.
            Path aside = target.resolveSibling(target.getFileName() + ".set-aside-" + System.currentTimeMillis());
            Files.move(target, aside, StandardCopyOption.ATOMIC_MOVE);
            LOG.warn("{} is a copy of {} {} without the zoo's marker ({}); moved aside to {} and installing afresh",
                target, target.getParent().getFileName(), target.getFileName(),
                failure == null ? "another build of the model" : failure, aside);
          } else {
            throw new BundleException("cannot replace " + target + (failure == null ? "" : " (" + failure + ")")
                + ": the zoo did not install it (it holds no " + INSTALLED_MARKER + ") and replaces only its own"
                + " entries; move it away, or " + CacheFolder.howToChooseAnother());
          }
        } else if (Files.exists(target, LinkOption.NOFOLLOW_LINKS)) {
          throw new BundleException("cannot install bundle into " + target + ": something that is not a folder is there");
        }
        Files.move(verified, target, StandardCopyOption.ATOMIC_MOVE);
        LOG.info("Installed bundle into {}", target);
      }
      return ModelBundle.open(target);
    } catch (IOException ioe) {
      throw new BundleException("cannot install bundle into " + target + ": " + ioe + "; "
          + CacheFolder.howToChooseAnother(), ioe);
    } finally {
      local.unlock();
    }
  }

  /** Whether {@code bundle}'s manifest is byte for byte the one embedded in {@code folder}; its files are
   * tied to the manifest by their sha256. */
  static boolean sameManifest(ModelBundle bundle, String folder) {
    try {
      return Arrays.equals(Files.readAllBytes(bundle.root().resolve(ModelBundle.MANIFEST)),
          readResource(EMBEDDED_ROOT + folder + "/" + ModelBundle.MANIFEST));
    } catch (IOException | BundleException e) {
      return false;
    }
  }

  /** Copies an embedded bundle's manifest and every file it lists out of the jar. */
  static Path copyEmbedded(String folder, Path target) throws BundleException {
    String base = EMBEDDED_ROOT + folder + "/";
    byte[] json = readResource(base + ModelBundle.MANIFEST);
    BundleManifest manifest = org.pgdiffseg.sdk.bundle.ManifestParser.lenient().parse(json, base + ModelBundle.MANIFEST);
    List<String> files = new ArrayList<>(manifest.files().keySet());
    manifest.graphs().values().forEach(g -> { if (!files.contains(g.file())) files.add(g.file()); });
    try {
      Files.createDirectories(target);
      Files.write(target.resolve(ModelBundle.MANIFEST), json);
      for (String file : files) {
        Path out = target.resolve(file).normalize();
        if (!out.startsWith(target)) {
          throw new BundleException(base + ": file '" + file + "' escapes the bundle");
        }
        Files.createDirectories(out.getParent());
        Files.write(out, readResource(base + file));
      }
    } catch (IOException e) {
      throw new BundleException("cannot copy embedded bundle " + folder + " to " + target + ": " + e.getMessage(), e);
    }
    return target;
  }

  private static byte[] readResource(String name) throws BundleException {
    try (InputStream in = ModelZoo.class.getResourceAsStream(name)) {
      if (in == null) {
        throw new BundleException("embedded resource " + name + " is missing from the jar");
      }
      return in.readAllBytes();
    } catch (IOException e) {
      throw new BundleException("cannot read embedded resource " + name + ": " + e.getMessage(), e);
    }
  }

  private Path unpackDownload(URI source, String expectedSha256, boolean allowPlainHttp, Path target)
      throws BundleException {
    Path zip = target.resolveSibling("download.zip");
    download(source, allowPlainHttp, zip);
    if (expectedSha256 != null) {
      String actual;
      try {
        actual = MoreFiles.asByteSource(zip).hash(Hashing.sha256()).toString();
      } catch (IOException e) {
        throw new BundleException(zip + ": cannot read download: " + e.getMessage(), e);
      }
      if (!actual.equalsIgnoreCase(expectedSha256)) {
        throw new BundleException("Checksum error: " + source + ", expected " + expectedSha256 + ", actual " + actual);
      }
    }
    return ModelBundle.unpack(zip, target, ZipLimits.DEFAULT);
  }

  private void download(URI source, boolean allowPlainHttp, Path out) throws BundleException {
    String scheme = source.getScheme() == null ? "file" : source.getScheme();
    try {
      Files.createDirectories(out.getParent());
      switch (scheme) {
        case "file" -> LocalZip.copy(source.getScheme() == null ? Path.of(source.getPath()) : Path.of(source), out,
            ZipLimits.DEFAULT.maxZipBytes());
        case "https", "http" -> {
          if ("http".equals(scheme) && !allowPlainHttp) {
            throw new BundleException(source + ": plain HTTP refused; use https or allow plain HTTP explicitly");
          }
          new BoundedDownload(http, ZipLimits.DEFAULT.maxZipBytes(), downloadLimits).fetch(source, out);
        }
        default -> throw new BundleException(source + ": unsupported scheme '" + scheme + "', expected https, http or file");
      }
    } catch (IOException e) {
      throw new BundleException(source + ": download failed: " + e.getMessage(), e);
    }
  }

  private Path newStaging(String name) throws BundleException {
    Path models = cacheRoot.resolve("models");
    UnlinkedPath.require(cacheRoot, models);
    try {
      Files.createDirectories(models);
      removeStaleStaging();
      return Files.createTempDirectory(models, "stage-" + name + "-");
    } catch (IOException e) {
      throw new BundleException("cannot create a staging folder in " + models + ": " + e + "; "
          + CacheFolder.howToChooseAnother(), e);
    }
  }

  /** Deletes staging folders that a process which died mid-install left behind long ago. */
  private void removeStaleStaging() {
    long cutoff = System.currentTimeMillis() - STALE_STAGING.toMillis();
    try (var entries = Files.newDirectoryStream(cacheRoot.resolve("models"), "stage-*")) {
      for (Path stage : entries) {
        if (Files.isDirectory(stage, LinkOption.NOFOLLOW_LINKS)
            && Files.getLastModifiedTime(stage, LinkOption.NOFOLLOW_LINKS).toMillis() < cutoff) {
          deleteInsideCache(stage);
        }
      }
    } catch (IOException | BundleException e) {
      LOG.debug("Could not sweep stale staging folders: {}", e.getMessage());
    }
  }

  /** Deletes {@code path} recursively, but only when it lies inside this zoo's cache and no link leads to it. */
  private void deleteInsideCache(Path path) throws BundleException {
    Path normalized = path.toAbsolutePath().normalize();
    if (!normalized.startsWith(cacheRoot.resolve("models")) || normalized.equals(cacheRoot.resolve("models"))) {
      throw new BundleException("refusing to delete " + path + ": it is not an entry of the cache " + cacheRoot);
    }
    UnlinkedPath.require(cacheRoot, normalized);
    deleteQuietly(normalized);
  }

  private static Path asPath(String idOrPath) {
    try {
      return Path.of(idOrPath);
    } catch (RuntimeException e) {
      return null;
    }
  }

  private static void deleteQuietly(Path path) {
    try {
      if (Files.exists(path, LinkOption.NOFOLLOW_LINKS)) {
        MoreFiles.deleteRecursively(path, RecursiveDeleteOption.ALLOW_INSECURE);
      }
    } catch (IOException e) {
      LOG.warn("Could not delete {}: {}", path, e.getMessage());
    }
  }
}
