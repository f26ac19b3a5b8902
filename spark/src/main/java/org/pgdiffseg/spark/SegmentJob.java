package org.pgdiffseg.spark;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import org.apache.spark.SparkConf;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;
import org.pgdiffseg.sdk.BundleException;
import org.pgdiffseg.sdk.DeviceUnavailableException;
import org.pgdiffseg.sdk.imaging.ImageDecoder;
import org.pgdiffseg.sdk.runtime.DeviceChoice;
import org.pgdiffseg.sdk.runtime.OrtRuntime;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * The Spark job: segments every image of {@code --input} and writes one Parquet row per image (per frame of a
 * multi-frame DICOM) to {@code --output}. Main class for {@code spark-submit}; {@code samples/pgdiffseg-spark}
 * runs it on an embedded local master. Exit codes: 0 success (inputs that failed are rows with an error),
 * 1 the job failed (e.g. a missing or tampered bundle), 2 bad usage (among it an output that is, contains or
 * lies inside an input, or an existing output without {@code --overwrite}: checked before Spark starts).
 */
@Command(name = "pgdiffseg-spark", mixinStandardHelpOptions = true,
    description = {"Segment an archive of images on Apache Spark, one model per executor.",
        "Writes Parquet to --output: path, frame, width, height, mask_png (0/255 PNG, original size),",
        "lesion_fraction, gate_skipped, class_probabilities, dice and iou (with --masks), per-stage milliseconds,",
        "model, executor_id, error (null on success), confidence and review (null without a confidence model).",
        "A file that cannot be read is a row with its error."})
public final class SegmentJob implements Callable<Integer> {
  static final int OK = 0;
  static final int FAILED = 1;
  static final int BAD_USAGE = 2;

  @Spec CommandLine.Model.CommandSpec spec;

  @Option(names = "--input", required = true, paramLabel = "DIR|PARQUET",
      description = "Folder of images (every file under it), or Parquet with a path column (and optionally content).")
  String input;

  @Option(names = "--masks", paramLabel = "DIR", description = {"Folder of 0/255 reference masks: adds dice and iou. The mask of",
      "--input/p1/img.png is DIR/p1/img.png (its path relative to --input; for Parquet input, its file name)."})
  String masks;

  @Option(names = "--output", required = true, paramLabel = "DIR", description = "Parquet output folder.")
  String output;

  @Option(names = "--overwrite", description = {"Replace --output if it holds an earlier output of this job, finished",
      "or stopped part way (only _SUCCESS, part-*.parquet, .crc files and _temporary); any other folder is refused."})
  boolean overwrite;

  @Option(names = "--master", paramLabel = "URL", description = "Spark master (default: spark-submit's; the launcher gives local[*]).")
  String master;

  @Option(names = "--partitions", paramLabel = "N", defaultValue = "0",
      description = {"Partitions of the input (default: " + SparkSegmentation.PARTITIONS_PER_CORE + " per core), at most one",
          "per file and at most " + SparkSegmentation.MAX_PARTITIONS + ": the driver keeps every partition's task in"
              + " memory."})
  int partitions;

  @Option(names = "--model", paramLabel = "ID|DIR|ZIP", description = "Zoo model id, bundle folder or zip, or the name of a zip shipped with --files (default: the zoo's default model).")
  String model;

  @Option(names = "--scheduler", paramLabel = "NAME", description = "ddpm, ddim, ddim-trailing, dpm++, dpm++3, dpm++-sde, dpm, unipc or unipc-p (default: the bundle's).")
  String scheduler;

  @Option(names = "--steps", paramLabel = "N", description = "Sampling steps (default: the bundle's).")
  Integer steps;

  @Option(names = "--ensemble", paramLabel = "K", description = "Samples averaged per image (default: the bundle's).")
  Integer ensemble;

  @Option(names = "--seed", paramLabel = "S", description = "Seed of the noise, the same for every image (default: the bundle's).")
  Long seed;

  @Option(names = "--initial-sample", paramLabel = "FROM",
      description = "Start sampling from noise or zeros (default: the bundle's; zeros for the default model).")
  String initialSample;

  @Option(names = "--threshold", paramLabel = "T", description = "Mask threshold on the lesion probability (default: the bundle's).")
  Double threshold;

  @Option(names = "--flip-average", negatable = true,
      description = "Average each image with its horizontal mirror, sampled in the same batch; --no-flip-average"
          + " turns it off (default: the bundle's).")
  Boolean flipAverage;

  @Option(names = "--no-gating", description = "Always run diffusion, even when the prior says no tumor.")
  boolean noGating;

  @Option(names = "--no-confidence",
      description = "Do not score each mask's confidence, nor make the graph call its model needs: the confidence"
          + " and review columns stay null; the masks stay the same.")
  boolean noConfidence;

  @Option(names = "--gate-threshold", paramLabel = "P", description = "Skip diffusion when P(no tumor) >= P (default: the bundle's).")
  Double gateThreshold;

  @Option(names = "--max-pixels", paramLabel = "N", description = "Refuse images with more pixels, from their header (default: 64000000).")
  Long maxPixels;

  @Option(names = "--concurrency", paramLabel = "N", description = "Images segmented at once per executor (default: its cores).")
  Integer concurrency;

  @Option(names = "--max-batch", paramLabel = "N",
      description = "Images of an executor's concurrent tasks segmented as one batch, one graph call per step for all"
          + " (default: 1, no batching, on a CPU, where a worker per task was faster; its cores with --device cuda;"
          + " results do not change).")
  Integer maxBatch;

  @Option(names = "--max-wait-ms", paramLabel = "MS",
      description = "How long the first image of a batch waits for the others (default: "
          + SegmentOptions.DEFAULT_MAX_WAIT_MILLIS + ").")
  Integer maxWaitMillis;

  @Option(names = "--threads", paramLabel = "N", description = "ONNX Runtime threads per image (default: the host's cores / concurrency).")
  Integer threads;

  @Option(names = "--device", paramLabel = "cpu|cuda|auto", converter = DeviceConverter.class,
      description = "Where the graphs run on each executor: cpu; cuda, which fails where CUDA cannot run, naming what"
          + " is missing (checked on this machine before Spark starts when the master is local); or auto, CUDA where"
          + " it can run, else CPU (default: auto).")
  DeviceChoice device;

  @Option(names = "--cpu", description = "Same as --device cpu.")
  boolean cpu;

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    if (partitions < 0 || partitions > SparkSegmentation.MAX_PARTITIONS) {
      throw new IllegalArgumentException("--partitions must be 0 (the default) to " + SparkSegmentation.MAX_PARTITIONS
          + ", got " + partitions + ", since the driver keeps every partition's task in memory");
    }
    SegmentOptions options = SegmentOptions.builder().model(model).scheduler(scheduler).steps(steps)
        .ensemble(ensemble).seed(seed).initialSample(initialSample).flipAverage(flipAverage).maskThreshold(threshold).gating(!noGating).gateThreshold(gateThreshold)
        .confidence(!noConfidence)
        .maxPixels(maxPixels != null ? maxPixels : ImageDecoder.DEFAULT_MAX_PIXELS).masks(masks)
        .imagesRoot(SparkSegmentation.isParquet(input) ? null : absolute(input))
        .concurrency(concurrency).threads(threads).device(deviceChoice()).maxBatch(maxBatch)
        .maxWaitMillis(maxWaitMillis).build();
    if (options.device() == DeviceChoice.CUDA && runsHere()) {
      OrtRuntime.shared().checkDevice(options.sessionConfig(1));   // one sentence, exit 2, before Spark starts
    }
    // Checked before Spark starts, so nothing is deleted or written when the output is refused.
    Path localOutput = SparkSegmentation.localPath(output);
    OutputFolder.Action action = null;
    if (localOutput != null) {
      Map<String, Path> inputs = new LinkedHashMap<>();
      inputs.put("--input", SparkSegmentation.localPath(input));
      inputs.put("--masks", masks != null ? SparkSegmentation.localPath(masks) : null);
      action = OutputFolder.checkLocal(localOutput, inputs, overwrite);
    }
    // Executors close their Segmenters when they stop; plugins named by spark-submit are kept.
    String plugins = new SparkConf().get("spark.plugins", "");
    SparkSession.Builder builder = SparkSession.builder().appName("pgdiffseg-spark").config("spark.plugins",
        plugins.contains(SegmenterPlugin.class.getName()) ? plugins
            : (plugins.isEmpty() ? "" : plugins + ",") + SegmenterPlugin.class.getName());
    if (master != null) {
      builder.master(master);
      SparkConf given = new SparkConf();
      if (master.startsWith("local") && !given.contains("spark.driver.host") && !given.contains("spark.driver.bindAddress")) {
        // An embedded local master serves only this process: keep its driver on loopback rather than on whatever
        // address the host name resolves to.
        builder.config("spark.driver.bindAddress", "127.0.0.1").config("spark.driver.host", "127.0.0.1");
      }
    }
    SparkSession spark = builder.getOrCreate();
    try {
      if (action == null) {
        action = OutputFolder.checkRemote(output, spark.sparkContext().hadoopConfiguration(), overwrite);
      }
      long start = System.nanoTime();
      Dataset<Row> images = SparkSegmentation.readImages(spark, input, partitions);
      Dataset<Row> results = SparkSegmentation.segment(images, options);
      results.write().mode(action == OutputFolder.Action.REPLACE ? SaveMode.Overwrite : SaveMode.ErrorIfExists)
          .parquet(output);
      double seconds = (System.nanoTime() - start) / 1e9;
      // One pass over the written error column: count(*) and count(error), which counts the non-null ones.
      Row counts = spark.read().parquet(output).select(ResultSchema.ERROR)
          .agg(functions.count(functions.lit(1)), functions.count(functions.col(ResultSchema.ERROR))).first();
      long rows = counts.getLong(0);
      long failed = counts.getLong(1);
      out.printf("%d rows (%d with an error) in %.1f s, %.2f rows/s, %d partitions; results in %s%n", rows, failed,
          seconds, rows / seconds, images.rdd().getNumPartitions(), output);
      return OK;
    } finally {
      spark.stop();
    }
  }

  /** --device, or --cpu as its older spelling; both naming different devices is bad usage. */
  private DeviceChoice deviceChoice() {
    if (cpu && device != null && device != DeviceChoice.CPU) {
      throw new IllegalArgumentException("--cpu and --device " + device.cliName() + " conflict (--cpu means"
          + " --device cpu); give one of them");
    }
    return cpu ? DeviceChoice.CPU : device == null ? DeviceChoice.AUTO : device;
  }

  /** Whether the executors run in this JVM (a local master), so this machine is the one to check. */
  private boolean runsHere() {
    String effective = master != null ? master : new SparkConf().get("spark.master", "");
    return effective.startsWith("local");
  }

  /** Lower-case device names, any case accepted. */
  static final class DeviceConverter implements CommandLine.ITypeConverter<DeviceChoice> {
    @Override
    public DeviceChoice convert(String value) {
      try {
        return DeviceChoice.parse(value);
      } catch (IllegalArgumentException e) {
        throw new CommandLine.TypeConversionException("must be cpu, cuda or auto, got '" + value + "'");
      }
    }
  }

  /** A local path made absolute here, on the driver: executors may run in another working folder. */
  private static String absolute(String pathOrUri) {
    Path local = SparkSegmentation.localPath(pathOrUri);
    return local != null ? local.toAbsolutePath().toString() : pathOrUri;
  }

  public static void main(String[] args) {
    System.exit(run(args, new PrintWriter(System.out, true), new PrintWriter(System.err, true)));
  }

  /** Runs the job with the given streams; returns the exit code. */
  static int run(String[] args, PrintWriter out, PrintWriter err) {
    CommandLine cli = new CommandLine(new SegmentJob());
    cli.setOut(out);
    cli.setErr(err);
    cli.setExitCodeExceptionMapper(e -> e instanceof IllegalArgumentException
        || e instanceof DeviceUnavailableException ? BAD_USAGE : FAILED);
    cli.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
      // Bad usage and the SDK's bundle errors are sentences of their own; anything else is named by its type.
      boolean sentence = e instanceof BundleException || e instanceof IllegalArgumentException;
      commandLine.getErr().println("pgdiffseg-spark: " + (sentence ? "" : e.getClass().getSimpleName() + ": ")
          + e.getMessage());
      return commandLine.getExitCodeExceptionMapper().getExitCode(e);
    });
    cli.setParameterExceptionHandler((e, args1) -> {
      e.getCommandLine().getErr().println("pgdiffseg-spark: " + e.getMessage());
      e.getCommandLine().usage(e.getCommandLine().getErr());
      return BAD_USAGE;
    });
    return cli.execute(args);
  }
}
