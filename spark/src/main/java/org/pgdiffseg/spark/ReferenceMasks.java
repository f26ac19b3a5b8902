package org.pgdiffseg.spark;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.max;
import static org.apache.spark.sql.functions.min;
import static org.apache.spark.sql.functions.regexp_extract;

import java.io.Serializable;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.pgdiffseg.sdk.InvalidImageException;

/**
 * Finds an image's reference mask. With the images' folder known, the mask of {@code <images>/p1/img.png} is
 * {@code <masks>/p1/img.png}: the path relative to the folder, so {@code p1/img.png} and {@code p2/img.png} each
 * have their own. Without it (paths from Parquet or any Dataset) the mask is {@code <masks>/<file name>}, and
 * {@link #checkUnambiguous} refuses inputs where two images would share one.
 *
 * <p>Immutable and serializable; thread-safe.
 *
 * @param masks folder of the masks, a local path every executor sees
 * @param imagesRoot folder the image paths lie under (a local path or a URI), or null to match by file name
 */
record ReferenceMasks(String masks, String imagesRoot) implements Serializable {
  /** The mask of the image at {@code imagePath} (a local path or URI, as in the {@code path} column). */
  Path maskOf(String imagePath) throws InvalidImageException {
    Path image = pathPart(imagePath);
    Path mask;
    if (imagesRoot == null) {
      mask = Path.of(masks).resolve(image.getFileName().toString());
    } else {
      Path root = pathPart(imagesRoot);
      if (!image.startsWith(root) || image.equals(root)) {
        throw new InvalidImageException(imagePath + ": not under the images folder " + imagesRoot
            + ", so it has no reference mask in " + masks);
      }
      mask = Path.of(masks).resolve(root.relativize(image).toString());
    }
    if (!Files.isRegularFile(mask)) {
      throw new InvalidImageException(mask + ": no reference mask of this name"
          + (imagesRoot != null ? " (masks are matched by the path relative to " + imagesRoot + ")" : ""));
    }
    return mask;
  }

  /**
   * Refuses, when masks are matched by file name, two images of one name: both would be compared with the
   * same mask. Runs a Spark job over the {@code path} column.
   *
   * @throws IllegalArgumentException naming two such images and the mask
   */
  void checkUnambiguous(Dataset<Row> images) {
    if (imagesRoot != null) {
      return;
    }
    Dataset<Row> names = images.select(col(SparkSegmentation.PATH),
        regexp_extract(col(SparkSegmentation.PATH), "([^/\\\\]*)$", 1).as("name"));
    List<Row> clashes = names.groupBy("name").agg(count("*").as("n"), min(SparkSegmentation.PATH).as("first"),
        max(SparkSegmentation.PATH).as("last")).filter(col("n").gt(1)).limit(1).collectAsList();
    if (!clashes.isEmpty()) {
      Row clash = clashes.get(0);
      throw new IllegalArgumentException("masks: " + clash.getString(2) + " and " + clash.getString(3)
          + " (" + clash.getLong(1) + " images named " + clash.getString(0) + ") would all be compared with "
          + Path.of(masks).resolve(clash.getString(0)) + "; segment their folder, whose masks are matched by"
          + " the path relative to it, or give each image a distinct name");
    }
  }

  /** The path of a local path or URI ({@code file:}, {@code hdfs://host/...}), absolute and normalized. */
  private static Path pathPart(String pathOrUri) {
    String path = new org.apache.hadoop.fs.Path(pathOrUri).toUri().getPath();
    return Path.of(path).toAbsolutePath().normalize();
  }
}
