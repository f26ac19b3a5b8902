package org.pgdiffseg.sdk.bundle;

import com.google.common.hash.Hashing;
import com.google.common.io.MoreFiles;
import com.google.common.io.RecursiveDeleteOption;
import com.google.common.util.concurrent.Striped;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.Lock;
import org.pgdiffseg.sdk.BundleException;
import org.pgdiffseg.sdk.CacheFolder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Zipped bundles unpacked into the cache ({@link CacheFolder}), under {@code <cache>/unpacked/<sha256 of the zip>}: a
 * zip is unpacked once and reused by every later open, in this JVM and others, and nothing is left in the temporary
 * folder when a run is killed. Each unpack goes to a staging folder beside its place and is renamed into place under
 * a lock (a striped lock for threads, the file lock {@code unpacked/.lock} for processes), so a half-unpacked folder
 * is never used. A zip that
 * is refused leaves nothing behind.
 */
final class UnpackedZips {
  private static final Logger LOG = LoggerFactory.getLogger(UnpackedZips.class);
  static final String FOLDER = "unpacked";
  /** Staging folders older than this were left by a process that died; the next unpack removes them. */
  private static final Duration STALE_STAGING = Duration.ofHours(24);

  private record Key(Path cache, Path zip, long size, FileTime modified, ZipLimits limits) {}

  /** Folders this JVM already unpacked or found, so that a zip is hashed once per JVM. */
  private static final Map<Key, Path> FOLDERS = new ConcurrentHashMap<>();
  private static final Striped<Lock> LOCKS = Striped.lock(16);

  private UnpackedZips() {}

  /** The folder holding {@code zip}'s bundle in the default cache, unpacking it on first use. */
  static Path folderFor(Path zip, ZipLimits limits) throws BundleException {
    return folderFor(zip, limits, CacheFolder.root());
  }

  static Path folderFor(Path zip, ZipLimits limits, Path cacheRoot) throws BundleException {
    Path cache = cacheRoot.toAbsolutePath().normalize();
    Path real;
    BasicFileAttributes attributes;
    try {
      real = zip.toRealPath();
      attributes = Files.readAttributes(real, BasicFileAttributes.class);
    } catch (IOException e) {
      throw new BundleException(zip + ": cannot read zip: " + e.getMessage(), e);
    }
    if (!attributes.isRegularFile()) {
      throw new BundleException(zip + ": not a regular file; a zipped bundle must be one");
    }
    if (attributes.size() > limits.maxZipBytes()) {   // before hashing: the limit bounds the work too
      throw new BundleException(zip + ": zip is " + attributes.size() + " bytes, over the limit of "
          + limits.maxZipBytes());
    }
    Key key = new Key(cache, real, attributes.size(), attributes.lastModifiedTime(), limits);
    Lock local = LOCKS.get(key);
    local.lock();
    try {
      Path known = FOLDERS.get(key);
      if (known != null && Files.isDirectory(known, LinkOption.NOFOLLOW_LINKS)) {
        return known;
      }
      String sha256 = sha256(real);
      Path folder = unpackOnce(real, sha256, limits, cache);
      FOLDERS.put(key, folder);
      return folder;
    } finally {
      local.unlock();
    }
  }

  /** The folder of the zip whose content has {@code sha256}, unpacked unless another run already did. */
  private static Path unpackOnce(Path zip, String sha256, ZipLimits limits, Path cache) throws BundleException {
    Path unpacked = cache.resolve(FOLDER);
    // Other limits may refuse what the defaults accept: they get a folder of their own.
    String name = limits.equals(ZipLimits.DEFAULT) ? sha256 : String.format("%s-%x-%x-%x-%x", sha256,
        limits.maxZipBytes(), limits.maxEntryBytes(), limits.maxTotalBytes(), limits.maxEntries());
    Path folder = unpacked.resolve(name);
    // One lock for all unpacks (they are rare): a lock file per zip would stay behind for every refused zip.
    Path lockFile = unpacked.resolve(".lock");
    UnlinkedPath.require(cache, lockFile);
    UnlinkedPath.require(cache, folder);
    try {
      Files.createDirectories(unpacked);
    } catch (IOException e) {
      throw new BundleException(zip + ": cannot create " + unpacked + " to unpack the bundle into: " + e + "; "
          + CacheFolder.howToChooseAnother(), e);
    }
    removeStaleStaging(cache, unpacked);
    try (FileChannel channel = FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
            LinkOption.NOFOLLOW_LINKS);
        FileLock ignored = channel.lock()) {
      UnlinkedPath.require(cache, folder);
      if (Files.isDirectory(folder, LinkOption.NOFOLLOW_LINKS)) {
        LOG.debug("Reusing {} for {}", folder, zip);
        return folder;
      }
      Path staging = Files.createTempDirectory(unpacked, "stage-");
      try {
        Path target = Files.createDirectory(staging.resolve("bundle"));
        ZipBundleExtractor.extract(zip, target, limits);
        if (!sha256.equals(sha256(zip))) {
          throw new BundleException(zip + ": changed while it was unpacked; open it again once it is complete");
        }
        Files.move(target, folder, StandardCopyOption.ATOMIC_MOVE);
        LOG.debug("Unpacked {} into {}", zip, folder);
      } finally {
        delete(staging);
      }
      return folder;
    } catch (IOException e) {
      throw new BundleException(zip + ": cannot unpack into " + folder + ": " + e + "; "
          + CacheFolder.howToChooseAnother(), e);
    }
  }

  /**
   * Forgets and deletes the folder a refused bundle was unpacked into: every later open would refuse it too.
   * Only a folder of the cache's {@code unpacked} folder, reached without a link, is deleted.
   */
  static void discard(Path folder) {
    FOLDERS.values().removeIf(folder::equals);
    Path unpacked = folder.getParent();
    if (unpacked == null || !unpacked.getFileName().toString().equals(FOLDER)) {
      return;
    }
    try {
      UnlinkedPath.require(unpacked, folder);
      delete(folder);
    } catch (BundleException linked) {
      LOG.warn("Not deleting {}: {}", folder, linked.getMessage());
    }
  }

  private static String sha256(Path zip) throws BundleException {
    try {
      return MoreFiles.asByteSource(zip).hash(Hashing.sha256()).toString();
    } catch (IOException e) {
      throw new BundleException(zip + ": cannot read zip: " + e.getMessage(), e);
    }
  }

  /** Deletes staging folders that a process which died mid-unpack left behind long ago. */
  private static void removeStaleStaging(Path cache, Path unpacked) {
    long cutoff = System.currentTimeMillis() - STALE_STAGING.toMillis();
    try (var entries = Files.newDirectoryStream(unpacked, "stage-*")) {
      for (Path stage : entries) {
        if (Files.isDirectory(stage, LinkOption.NOFOLLOW_LINKS)
            && Files.getLastModifiedTime(stage, LinkOption.NOFOLLOW_LINKS).toMillis() < cutoff) {
          UnlinkedPath.require(cache, stage);
          delete(stage);
        }
      }
    } catch (IOException | BundleException e) {
      LOG.debug("Could not sweep stale staging folders in {}: {}", unpacked, e.getMessage());
    }
  }

  private static void delete(Path folder) {
    try {
      if (Files.exists(folder, LinkOption.NOFOLLOW_LINKS)) {
        MoreFiles.deleteRecursively(folder, RecursiveDeleteOption.ALLOW_INSECURE);
      }
    } catch (IOException e) {
      LOG.warn("Could not delete {}: {}", folder, e.getMessage());
    }
  }
}
