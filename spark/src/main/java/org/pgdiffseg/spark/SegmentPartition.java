package org.pgdiffseg.spark;

import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Queue;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.spark.SparkConf;
import org.apache.spark.SparkEnv;
import org.apache.spark.TaskContext;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.util.TaskCompletionListener;
import org.pgdiffseg.sdk.BundleException;
import org.pgdiffseg.sdk.InvalidImageException;
import org.pgdiffseg.sdk.PgDiffSegException;
import org.pgdiffseg.sdk.imaging.DecodedImage;
import org.pgdiffseg.sdk.imaging.ImageDecoder;
import org.pgdiffseg.sdk.imaging.ImageFiles;
import org.pgdiffseg.sdk.imaging.ImageWriter;
import org.pgdiffseg.sdk.metrics.MaskOverlap;
import org.pgdiffseg.sdk.metrics.ScaledMeasurements;
import org.pgdiffseg.sdk.pipeline.SegmentRequest;
import org.pgdiffseg.sdk.pipeline.SegmentationResult;
import org.pgdiffseg.sdk.pipeline.Segmenter;
import org.pgdiffseg.sdk.pipeline.StageTimings;
import scala.jdk.javaapi.CollectionConverters;

/**
 * Segments the images of one partition with this executor's {@link Segmenter} (opened by the first row that
 * needs it): each input row gives one result row, or one per frame of a multi-frame DICOM. An input that cannot
 * be read, decoded or segmented gives a row with its {@code error}; only a bundle that cannot be opened fails
 * the task. Rows are produced as the partition is consumed, one input file in memory at a time.
 */
final class SegmentPartition implements MapPartitionsFunction<Row, Row> {
  private static final Pattern LOCAL = Pattern.compile("local(?:\\[(\\d+|\\*)(?:,\\d+)?])?");
  private static final Pattern LOCAL_CLUSTER = Pattern.compile("local-cluster\\[\\s*\\d+\\s*,\\s*(\\d+)\\s*,.*]");

  private final SegmentOptions options;
  private final boolean withContent;
  private final boolean withError;

  /**
   * {@code withContent}: input rows carry the file's bytes in {@code content} (binary file rows);
   * {@code withError}: they carry a {@code listing_error} that makes the row an error row, unread.
   */
  SegmentPartition(SegmentOptions options, boolean withContent, boolean withError) {
    this.options = options;
    this.withContent = withContent;
    this.withError = withError;
  }

  @Override
  public Iterator<Row> call(Iterator<Row> inputs) {
    PartitionLease lease = new PartitionLease();
    TaskContext task = TaskContext.get();
    if (task != null) {   // a task that stops before its rows are consumed still lets the Segmenter go
      task.addTaskCompletionListener((TaskCompletionListener) context -> lease.close());
    }
    return new Iterator<>() {
      private final Queue<Row> pending = new ArrayDeque<>();

      @Override
      public boolean hasNext() {
        while (pending.isEmpty() && inputs.hasNext()) {
          pending.addAll(segment(inputs.next(), lease.segmenter(), lease.record()));
        }
        if (pending.isEmpty()) {
          lease.close();
        }
        return !pending.isEmpty();
      }

      @Override
      public Row next() {
        if (!hasNext()) {
          throw new NoSuchElementException();
        }
        return pending.remove();
      }
    };
  }

  private static final com.fasterxml.jackson.databind.ObjectMapper RECORD_JSON =
      new com.fasterxml.jackson.databind.ObjectMapper();

  /** The rows of one input; {@code record} is the segmenter's record as JSON, the same for every row of the task. */
  private List<Row> segment(Row input, Segmenter segmenter, String record) {
    String path = input.getString(input.fieldIndex(SparkSegmentation.PATH));
    byte[] content = withContent && !input.isNullAt(input.fieldIndex(SparkSegmentation.CONTENT))
        ? input.getAs(SparkSegmentation.CONTENT) : null;
    String listingError = withError ? input.getAs(SparkSegmentation.LISTING_ERROR) : null;
    ImageDecoder decoder = new ImageDecoder(options.maxPixels());
    String executor = SparkEnv.get() != null ? SparkEnv.get().executorId() : null;
    String model = segmenter.bundle().manifest().id() + " " + segmenter.bundle().manifest().version();
    List<Row> rows = new ArrayList<>();
    if (listingError != null) {
      rows.add(failure(path, null, null, model, record, executor, listingError));
      return rows;
    }
    ReferenceMasks masks = options.referenceMasks();
    List<DecodedImage> frames;
    long start = System.nanoTime();
    try {
      byte[] data = content != null ? content : ImageFiles.read(localPath(path), options.maxPixels());
      frames = decodeFrames(decoder, data, path);
    } catch (Exception | OutOfMemoryError e) {
      rows.add(failure(path, null, null, model, record, executor, message(e)));
      return rows;
    }
    double decodeMs = (System.nanoTime() - start) / 1e6 / frames.size();
    for (int f = 0; f < frames.size(); f++) {
      DecodedImage image = frames.get(f);
      try {
        SegmentationResult r = segmenter.segment(image, SegmentRequest.defaults());
        Double dice = null;
        Double iou = null;
        Double hd95 = null;
        String error = null;
        if (masks != null && frames.size() == 1) {
          try {
            MaskOverlap overlap = MaskOverlap.of(r.mask(), decoder.decode(masks.maskOf(path)));
            dice = overlap.dice();
            iou = overlap.iou();
            hd95 = Double.isNaN(overlap.hd95()) ? null : overlap.hd95();
          } catch (Exception e) {
            error = "reference mask: " + message(e);   // the segmentation stands; only the comparison failed
          }
        }
        StageTimings t = r.timings();
        Map<String, Double> probabilities = r.gate().asMap();
        rows.add(RowFactory.create(path, f + 1, frames.size(), r.width(), r.height(),
            ImageWriter.encodeGrayPng(r.mask().pixels(), r.width(), r.height()), r.mask().lesionFraction(),
            r.gate().skipped(), CollectionConverters.asScala(probabilities),
            measurementsJson(r.measurements()), dice, iou, hd95, decodeMs,
            t.millis(t.preprocessNanos()), t.millis(t.priorNanos()), t.millis(t.denoiseNanos()),
            t.millis(t.postprocessNanos()), decodeMs + t.millis(t.totalNanos()), model, record, executor, error,
            r.confidence() == null ? null : r.confidence().value(),
            r.confidence() == null ? null : r.confidence().review()));
      } catch (Exception | OutOfMemoryError e) {
        rows.add(failure(path, f + 1, frames.size(), model, record, executor, message(e)));
      }
    }
    return rows;
  }

  /**
   * This partition's hold on the executor's Segmenter: taken at the first row, let go once (idempotent); with the
   * Segmenter's record as JSON, written once per task rather than once per row.
   */
  private final class PartitionLease {
    private LeasedCache<SegmentOptions, Segmenter>.Lease lease;
    private String record;
    private boolean closed;

    synchronized Segmenter segmenter() {
      if (lease == null) {
        try {
          lease = ExecutorSegmenters.acquire(options, executorCores());
        } catch (BundleException e) {
          throw new IllegalStateException(e.getMessage(), e);   // no image can be segmented: fail the task
        }
        record = recordJson(lease.value());
      }
      return lease.value();
    }

    synchronized String record() {
      segmenter();
      return record;
    }

    synchronized void close() {
      if (lease != null && !closed) {
        closed = true;
        lease.close();
      }
    }
  }

  /** Frames of a file held in memory, refused by size as {@link ImageFiles#read} refuses a file on disk. */
  private List<DecodedImage> decodeFrames(ImageDecoder decoder, byte[] data, String name) throws InvalidImageException {
    long limit = ImageFiles.maxFileBytes(options.maxPixels());
    if (data.length > limit) {
      throw new InvalidImageException(name + ": file of " + data.length + " bytes is larger than any image within"
          + " the pixel limit of " + options.maxPixels() + " pixels (at most " + limit + " bytes)");
    }
    return decoder.decodeFrames(data, name);
  }

  /** A path this JVM can open: a plain path or a {@code file:} URI; other file systems need binary file rows. */
  static Path localPath(String path) throws InvalidImageException {
    if (!path.contains(":") || path.startsWith("file:")) {
      org.apache.hadoop.fs.Path parsed = new org.apache.hadoop.fs.Path(path);
      return Path.of(parsed.toUri().getPath());
    }
    throw new InvalidImageException(path + ": not a local path; read files on "
        + path.substring(0, path.indexOf(':')) + " as binary file rows (path, content)");
  }

  private static Row failure(String path, Integer frame, Integer frames, String model, String record, String executor,
      String error) {
    return RowFactory.create(path, frame, frames, null, null, null, null, null, null, null, null, null, null, null,
        null, null, null, null, null, model, record, executor, error, null, null);
  }

  /** The result's lesion measurements as JSON; pixels, and millimetres where the image gives its spacing. */
  private static String measurementsJson(ScaledMeasurements measured) {
    try {
      return RECORD_JSON.writeValueAsString(measured.toMap());
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalStateException("cannot write the measurements as JSON", e);
    }
  }

  /** The segmenter's record as JSON, the same form as results.json's top level. */
  private static String recordJson(Segmenter segmenter) {
    try {
      return RECORD_JSON.writeValueAsString(segmenter.record().toMap());
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalStateException("cannot write the run's record as JSON", e);
    }
  }

  private static String message(Throwable e) {
    if (e instanceof PgDiffSegException) {
      return e.getMessage();
    }
    if (e instanceof OutOfMemoryError) {
      return "out of memory on this input (raise the executor's memory or lower maxPixels)";
    }
    return e.getClass().getSimpleName() + ": " + e.getMessage();
  }

  /** Cores of this executor: {@code spark.executor.cores}, else what the local master names, else the host's. */
  static int executorCores() {
    SparkConf conf = SparkEnv.get() != null ? SparkEnv.get().conf() : new SparkConf();
    int host = Runtime.getRuntime().availableProcessors();
    if (conf.contains("spark.executor.cores")) {
      return conf.getInt("spark.executor.cores", host);
    }
    String master = conf.get("spark.master", "");
    Matcher local = LOCAL.matcher(master);
    if (local.matches()) {
      return local.group(1) == null ? 1 : "*".equals(local.group(1)) ? host : Integer.parseInt(local.group(1));
    }
    Matcher cluster = LOCAL_CLUSTER.matcher(master);
    return cluster.matches() ? Integer.parseInt(cluster.group(1)) : host;
  }
}
