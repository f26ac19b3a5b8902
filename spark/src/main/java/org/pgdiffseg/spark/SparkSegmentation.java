package org.pgdiffseg.spark;

import static com.google.common.base.Preconditions.checkArgument;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
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
  /**
   * Optional input column: why the file cannot be read (from listing); such a row becomes an error row, unread.
   * Not {@code error}, so that an earlier result read back as input is segmented again, failures included.
   */
  public static final String LISTING_ERROR = "listing_error";
  /** Default partitions per core of the cluster: enough to balance images of unequal cost. */
  public static final int PARTITIONS_PER_CORE = 3;
  /**
   * Most partitions a job may ask for: the driver schedules and tracks every partition's task in its own memory,
   * so 10^8 of them exhaust it, while 100,000 is already 2-4 per core for 25,000-50,000 cores.
   */
  public static final int MAX_PARTITIONS = 100_000;

  private static final Pattern SCHEME = Pattern.compile("^([a-zA-Z][a-zA-Z0-9+.-]+):");
  private static final StructType PATHS = new StructType().add(PATH, DataTypes.StringType, false)
      .add(LISTING_ERROR, DataTypes.StringType, true);

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
    boolean withError = columns.contains(LISTING_ERROR);
    checkArgument(!withError || images.schema().apply(LISTING_ERROR).dataType().equals(DataTypes.StringType),
        "column '%s' must be a string, got %s", LISTING_ERROR,
        withError ? images.schema().apply(LISTING_ERROR).dataType() : null);
    BundleLocator.resolve(options.model());   // fails the job now, before any task
    checkArgument(options.masks() == null || Files.isDirectory(Path.of(options.masks())),
        "--masks %s is not a folder", options.masks());
    if (options.masks() != null) {
      options.referenceMasks().checkUnambiguous(images);
    }
    List<String> kept = new ArrayList<>(List.of(PATH));
    if (withContent) {
      kept.add(CONTENT);
    }
    if (withError) {
      kept.add(LISTING_ERROR);
    }
    Dataset<Row> input = images.select(kept.get(0), kept.subList(1, kept.size()).toArray(String[]::new));
    return input.mapPartitions(new SegmentPartition(options, withContent, withError),
        Encoders.row(ResultSchema.SCHEMA)).toDF();
  }

  /**
   * The images of {@code input} as a Dataset in {@code partitions} partitions (0: {@link #defaultPartitions}):
   * a Parquet file or folder is read as it is (a {@code path} column, optionally {@code content}); a local
   * folder is listed here, every regular file under it but hidden ones, as paths the executors read (a corrupt
   * or foreign file becomes a result row with its error); a folder on another file system ({@code hdfs://},
   * {@code s3a://}) is read as binary file rows. Whatever under a local folder cannot be an image or cannot be
   * listed (an unreadable sub-folder, a FIFO, a socket, a looping link) is a row with a {@code listing_error}, which
   * {@link #segment} passes on unread. {@code partitions} is at most {@link #MAX_PARTITIONS}; more partitions
   * than files are cut to one per file.
   */
  public static Dataset<Row> readImages(SparkSession spark, String input, int partitions) {
    checkPartitions(partitions);
    Path local = localPath(input);
    if (local != null && !isParquet(input)) {
      List<Row> files = InputListing.list(local).stream()
          .map(entry -> RowFactory.create(entry.path(), entry.error())).toList();
      return dealt(spark, files, partitionCount(spark, files.size(), partitions));
    }
    Dataset<Row> images = isParquet(input) ? spark.read().parquet(input)
        : spark.read().format("binaryFile").option("recursiveFileLookup", "true").load(input).select(PATH, CONTENT);
    return images.repartition(partitionCount(spark, Long.MAX_VALUE, partitions));
  }

  /** {@code partitions}, or the default for 0, cut to one per file; at least 1. */
  private static int partitionCount(SparkSession spark, long files, int partitions) {
    return (int) Math.max(1, Math.min(files, partitions > 0 ? partitions : defaultPartitions(spark)));
  }

  /**
   * The listed files as a Dataset of exactly {@code n} partitions, the files dealt out in turn (partition p holds
   * files p, p + n, p + 2n, ... of the sorted listing) so that images of one kind, which sort together, are spread
   * over the partitions. Built from the driver's list without a shuffle: a repartition would run a Spark stage
   * over the listing before any image is read.
   */
  private static Dataset<Row> dealt(SparkSession spark, List<Row> files, int n) {
    List<Row> inTurn = new ArrayList<>(files.size());
    for (int p = 0; p < n; p++) {
      for (int i = p; i < files.size(); i += n) {
        inTurn.add(files.get(i));
      }
    }
    JavaRDD<Row> rows = JavaSparkContext.fromSparkContext(spark.sparkContext()).parallelize(inTurn, n);
    return spark.createDataFrame(rows, PATHS);
  }

  /**
   * Refuses a partition count that is negative or above {@link #MAX_PARTITIONS} (0 is the default).
   *
   * @throws IllegalArgumentException naming the count and the bounds
   */
  public static void checkPartitions(int partitions) {
    checkArgument(partitions >= 0 && partitions <= MAX_PARTITIONS,
        "partitions must be 0 (the default) to %s, got %s: each partition is a task the driver keeps in memory",
        MAX_PARTITIONS, partitions);
  }

  /** Whether {@code input} is read as Parquet: a {@code .parquet} name, or a local folder Spark wrote. */
  static boolean isParquet(String input) {
    Path local = localPath(input);
    return input.endsWith(".parquet") || (local != null && Files.isRegularFile(local.resolve("_SUCCESS")));
  }

  /** The local path of a plain path or {@code file:} URI; null for another file system. */
  static Path localPath(String input) {
    Matcher scheme = SCHEME.matcher(input);
    return !scheme.find() ? Path.of(input)
        : "file".equals(scheme.group(1)) ? Path.of(new org.apache.hadoop.fs.Path(input).toUri().getPath()) : null;
  }

  /** {@value #PARTITIONS_PER_CORE} partitions per core of the cluster (Spark's default parallelism). */
  public static int defaultPartitions(SparkSession spark) {
    return PARTITIONS_PER_CORE * spark.sparkContext().defaultParallelism();
  }
}
