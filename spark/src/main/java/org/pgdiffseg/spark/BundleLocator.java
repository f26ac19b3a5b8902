package org.pgdiffseg.spark;

import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import org.apache.spark.SparkEnv;
import org.apache.spark.SparkFiles;
import org.pgdiffseg.sdk.BundleException;
import org.pgdiffseg.sdk.bundle.ModelBundle;
import org.pgdiffseg.zoo.ModelZoo;

/**
 * Finds the bundle a job names, on the driver and on each executor: a folder or zip at that path (a shared
 * path), else a file of that name shipped with {@code --files} ({@link SparkFiles}), else a zoo id (the local
 * cache, the jar's embedded models, the index's URL). The bundle is verified each time (sha256 of every file);
 * a zip is unpacked once per JVM by the SDK.
 */
final class BundleLocator {
  private BundleLocator() {}

  static ModelBundle resolve(String model) throws BundleException {
    if (model == null) {
      return ModelZoo.defaultZoo().getDefault();
    }
    if (!exists(model)) {
      Path shipped = shipped(model);
      if (shipped != null) {
        return ModelBundle.open(shipped);
      }
    }
    return ModelZoo.resolve(model);
  }

  private static boolean exists(String model) {
    try {
      return Files.exists(Path.of(model));
    } catch (InvalidPathException e) {
      return false;
    }
  }

  /** The copy Spark made of a file shipped with {@code --files} (or {@code addFile}), or null. */
  private static Path shipped(String model) {
    if (SparkEnv.get() == null) {
      return null;
    }
    try {
      Path copy = Path.of(SparkFiles.get(Path.of(model).getFileName().toString()));
      return Files.exists(copy) ? copy : null;
    } catch (RuntimeException e) {   // no SparkFiles root on this JVM, or a name that is no file name
      return null;
    }
  }
}
