package org.pgdiffseg.sdk.bundle;

import com.google.common.io.MoreFiles;
import com.google.common.io.RecursiveDeleteOption;
import com.google.common.util.concurrent.Striped;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.Lock;
import org.pgdiffseg.sdk.BundleException;

/**
 * The folders zipped bundles were unpacked into by this JVM: one per zip (by real path, size, modification time
 * and limits), reused by every later open, and deleted when the JVM exits. A zip that is refused leaves
 * nothing behind: its partial folder is deleted at once.
 */
final class UnpackedZips {
  private record Key(Path zip, long size, FileTime modified, ZipLimits limits) {}

  private static final Map<Key, Path> FOLDERS = new ConcurrentHashMap<>();
  /** One unpack at a time per zip, so concurrent first opens share one folder. */
  private static final Striped<Lock> LOCKS = Striped.lock(16);

  static {
    Runtime.getRuntime().addShutdownHook(new Thread(UnpackedZips::deleteAll, "pgdiffseg-unpacked-bundles"));
  }

  private UnpackedZips() {}

  /** The folder holding {@code zip}'s bundle, unpacking it on first use. */
  static Path folderFor(Path zip, ZipLimits limits) throws BundleException {
    Key key;
    try {
      key = new Key(zip.toRealPath(), Files.size(zip), Files.getLastModifiedTime(zip), limits);
    } catch (IOException e) {
      throw new BundleException(zip + ": cannot read zip: " + e.getMessage(), e);
    }
    Lock lock = LOCKS.get(key.zip());
    lock.lock();
    try {
      Path folder = FOLDERS.get(key);
      if (folder != null && Files.isDirectory(folder)) {
        return folder;
      }
      Path target;
      try {
        target = Files.createTempDirectory("pgdiffseg-bundle-");
      } catch (IOException e) {
        throw new BundleException(zip + ": cannot create a folder to unpack into: " + e.getMessage(), e);
      }
      try {
        ZipBundleExtractor.extract(zip, target, limits);
      } catch (BundleException | RuntimeException e) {
        delete(target);
        throw e;
      }
      FOLDERS.put(key, target);
      return target;
    } finally {
      lock.unlock();
    }
  }

  /** Forgets and deletes the folder a refused bundle was unpacked into. */
  static void discard(Path folder) {
    FOLDERS.values().removeIf(folder::equals);
    delete(folder);
  }

  private static void deleteAll() {
    FOLDERS.values().forEach(UnpackedZips::delete);
  }

  private static void delete(Path folder) {
    try {
      MoreFiles.deleteRecursively(folder, RecursiveDeleteOption.ALLOW_INSECURE);
    } catch (IOException ignored) {
      // a temporary folder; nothing else depends on its removal
    }
  }
}
