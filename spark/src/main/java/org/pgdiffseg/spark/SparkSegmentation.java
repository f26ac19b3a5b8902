package org.pgdiffseg.spark;

import static com.google.common.base.Preconditions.checkArgument;

import com.google.common.collect.Streams;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.pgdiffseg.sdk.BundleException;

/**
 * Segments images on Spark with the PGDiffSeg SDK, for notebooks and jobs:
 *
 * <pre>{@code
 * Dataset<Row> images = SparkSegmentation.readImages(spark, "/data/scans", 0);   // path per file
 * Dataset<Row> results = SparkSegmentation.segment(images, SegmentOptions.builder()
 *     .model("pgdiffseg-busi-128").steps(20).ensemble(5).masks("/data/masks").build());
 * results.write().parquet("/data/out");
 * }</pre>
 *
 * <p>The input is a Dataset with a string {@code path} column (each executor reads the file: a path all of them
 * see) or binary file rows ({@code path} and binary {@code content}, as {@code spark.read().format("binaryFile")}
 * gives them, for any file system Spark reads). The result has {@link ResultSchema#SCHEMA}: one row per input
 * row, or per frame of a multi-frame DICOM. Each executor opens one Segmenter for the job's bundle and options
 * and segments as many images at once as it has cores. An image's result does not depend on the partitioning:
 * the noise of every image starts from the same seed, as in the CLI.
 *
 * <p>Stateless; the methods may be called from any thread.
 */
public final class SparkSegmentation {
  /** Input column: the image's path or URI. */
  public static final String PATH = "path";
  /** Optional input column: the file's bytes. */
  public static final String CONTENT = "content";
  /** Default partitions per core of the cluster: enough to balance images of unequal cost. */
  public static final int PARTITIONS_PER_CORE = 3;

  private static final Pattern SCHEME = Pattern.compile("^([a-zA-Z][a-zA-Z0-9+.-]+):");
  private static final StructType PATHS = new StructType().add(PATH, DataTypes.StringType, false);

  private SparkSegmentation() {}

  /**
   * The segmentation of {@code images}, a lazy Dataset. The bundle is resolved and verified here, on the
   * driver, so a missing or tampered bundle fails with the SDK's message before any image is read.
   */
  public static Dataset<Row> segment(Dataset<Row> images, SegmentOptions options) throws BundleException {
    List<String> columns = Arrays.asList(images.columns());
    checkArgument(columns.contains(PATH), "images need a '%s' column (and optionally '%s'), got %s", PATH, CONTENT,
        columns);
    checkArgument(images.schema().apply(PATH).dataType().equals(DataTypes.StringType),
        "column '%s' must be a string, got %s", PATH, images.schema().apply(PATH).dataType());
    boolean withContent = columns.contains(CONTENT);
    checkArgument(!withContent || images.schema().apply(CONTENT).dataType().equals(DataTypes.BinaryType),
        "column '%s' must be binary, got %s", CONTENT, withContent ? images.schema().apply(CONTENT).dataType() : null);
    BundleLocator.resolve(options.model());   // fails the job now, before any task
    checkArgument(options.masks() == null || Files.isDirectory(Path.of(options.masks())),
        "masks: %s is not a folder", options.masks());
    Dataset<Row> input = withContent ? images.select(PATH, CONTENT) : images.select(PATH);
    return input.mapPartitions(new SegmentPartition(options, withContent), Encoders.row(ResultSchema.SCHEMA))
        .toDF();
  }

  /**
   * The images of {@code input} as a Dataset in {@code partitions} partitions (0: {@link #defaultPartitions}):
   * a Parquet file or folder is read as it is (a {@code path} column, optionally {@code content}); a local
   * folder is listed here, every regular file under it but hidden ones, as paths the executors read (a corrupt
   * or foreign file becomes a result row with its error); a folder on another file system ({@code hdfs://},
   * {@code s3a://}) is read as binary file rows.
   */
  public static Dataset<Row> readImages(SparkSession spark, String input, int partitions) {
    checkArgument(partitions >= 0, "partitions must not be negative, got %s", partitions);
    Matcher scheme = SCHEME.matcher(input);
    Path local = !scheme.find() ? Path.of(input)
        : "file".equals(scheme.group(1)) ? Path.of(new org.apache.hadoop.fs.Path(input).toUri().getPath()) : null;
    Dataset<Row> images;
    long count;
    if (input.endsWith(".parquet") || (local != null && Files.isRegularFile(local.resolve("_SUCCESS")))) {
      images = spark.read().parquet(input);
      count = Long.MAX_VALUE;
    } else if (local != null) {
      List<Row> files = listFiles(local);
      images = spark.createDataFrame(files, PATHS);
      count = files.size();
    } else {
      images = spark.read().format("binaryFile").option("recursiveFileLookup", "true").load(input)
          .select(PATH, CONTENT);
      count = Long.MAX_VALUE;
    }
    int n = partitions > 0 ? partitions : (int) Math.max(1, Math.min(count, defaultPartitions(spark)));
    return images.repartition(n);
  }

  /** {@value #PARTITIONS_PER_CORE} partitions per core of the cluster (Spark's default parallelism). */
  public static int defaultPartitions(SparkSession spark) {
    return PARTITIONS_PER_CORE * spark.sparkContext().defaultParallelism();
  }

  private static List<Row> listFiles(Path folder) {
    checkArgument(Files.isDirectory(folder), "input: %s is not a folder or Parquet file", folder);
    try (Stream<Path> walk = Files.walk(folder)) {
      return walk.filter(Files::isRegularFile)
          .filter(p -> Streams.stream(folder.relativize(p)).noneMatch(part -> part.toString().startsWith(".")))
          .sorted()
          .map(p -> RowFactory.create(p.toAbsolutePath().toString()))
          .toList();
    } catch (IOException e) {
      throw new UncheckedIOException("input: cannot list " + folder, e);
    }
  }
}
