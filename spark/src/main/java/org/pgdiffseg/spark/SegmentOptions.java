package org.pgdiffseg.spark;

import static com.google.common.base.Preconditions.checkArgument;

import java.io.Serializable;
import java.time.Duration;
import org.pgdiffseg.sdk.imaging.ImageDecoder;
import org.pgdiffseg.sdk.pipeline.InitialSample;
import org.pgdiffseg.sdk.pipeline.Segmenter;
import org.pgdiffseg.sdk.runtime.DeviceChoice;
import org.pgdiffseg.sdk.runtime.SessionConfig;
import org.pgdiffseg.sdk.schedule.SchedulerSpec;

/**
 * What a Spark segmentation job runs: the model, the sampling options (each null keeps the bundle's default,
 * as the CLI does), where reference masks are, and how each executor's {@link Segmenter} is sized. Immutable
 * and serializable: it travels to the executors with the task.
 *
 * @param model zoo id, bundle folder or zip (a path the executors see, or a file name shipped with
 *     {@code --files}); null for the zoo's default model
 * @param masks folder of 0/255 reference masks named as the images (a path the executors see); null for none
 * @param imagesRoot the folder the images lie under: the mask of {@code <imagesRoot>/p1/img.png} is
 *     {@code <masks>/p1/img.png}; null to match masks by file name (then two images of one name are refused)
 * @param concurrency workers of each executor's Segmenter (images, or batches, segmented at once); null for one
 *     per batch its tasks can fill at once: the executor's cores divided by {@code maxBatch}, rounded up
 * @param threads ONNX Runtime intra-op threads per image; null for the host's cores divided by the concurrency
 * @param device where the graphs run on each executor: cpu, cuda (an executor without CUDA fails its tasks with
 *     the sentence naming what it lacks) or auto (CUDA where it can run); null means auto
 * @param maxBatch the most images of an executor's concurrent tasks segmented as one batch (the Segmenter's
 *     dynamic batching); 1 turns it off; null for 1 on a CPU (one worker per task slot measured faster there,
 *     docs/spark.md) and for the executor's cores with {@code --device cuda}, where batches are the throughput
 * @param maxWaitMillis how long the first image of a batch waits for the others, 0..1000 ms; null for
 *     {@value #DEFAULT_MAX_WAIT_MILLIS}
 * @param flipAverage average each image with its horizontal mirror; null for the bundle's default
 * @param confidence score each mask's confidence (the {@code confidence} and {@code review} columns; false leaves
 *     them null and saves the graph call the bundle's confidence model makes, docs/confidence.md)
 */
public record SegmentOptions(
    String model, String scheduler, Integer steps, Integer ensemble, Long seed, String initialSample,
    Double maskThreshold,
    boolean gating, Double gateThreshold, boolean largestComponent, boolean fillHoles, long maxPixels,
    String masks, String imagesRoot, Integer concurrency, Integer threads, DeviceChoice device,
    Integer maxBatch, Integer maxWaitMillis, Boolean flipAverage, boolean confidence) implements Serializable {
  /** The wait of the batching benchmark (docs/throughput.md): a graph call takes hundreds of times longer. */
  public static final int DEFAULT_MAX_WAIT_MILLIS = 5;

  public SegmentOptions {
    device = device == null ? DeviceChoice.AUTO : device;
    checkArgument(maxPixels > 0, "maxPixels must be positive, got %s", maxPixels);
    checkArgument(concurrency == null || (concurrency >= 1 && concurrency <= 64),
        "concurrency must be in 1..64, got %s", concurrency);
    checkArgument(threads == null || threads >= 1, "threads must be at least 1, got %s", threads);
    checkArgument(maxBatch == null || (maxBatch >= 1 && maxBatch <= 64), "maxBatch must be in 1..64, got %s",
        maxBatch);
    checkArgument(maxWaitMillis == null || (maxWaitMillis >= 0 && maxWaitMillis <= 1000),
        "maxWaitMillis must be in 0..1000, got %s", maxWaitMillis);
    if (scheduler != null) {
      SchedulerSpec.parse(scheduler);   // an unknown name fails on the driver, not in a task
    }
    checkArgument(initialSample == null || initialSample.equals("noise") || initialSample.equals("zeros"),
        "initialSample must be noise or zeros, got %s", initialSample);
  }

  /** The bundle's defaults for everything, the zoo's default model, no masks. */
  public static SegmentOptions defaults() {
    return builder().build();
  }

  public static Builder builder() {
    return new Builder();
  }

  public Builder toBuilder() {
    return new Builder().model(model).scheduler(scheduler).steps(steps).ensemble(ensemble).seed(seed)
        .initialSample(initialSample).maskThreshold(maskThreshold).gating(gating).gateThreshold(gateThreshold)
        .cleanup(largestComponent, fillHoles).maxPixels(maxPixels).masks(masks).imagesRoot(imagesRoot)
        .concurrency(concurrency).threads(threads).device(device).maxBatch(maxBatch).maxWaitMillis(maxWaitMillis)
        .flipAverage(flipAverage).confidence(confidence);
  }

  /** The options that decide which Segmenter an executor opens (everything but the masks). */
  SegmentOptions segmenterKey() {
    return toBuilder().masks(null).imagesRoot(null).build();
  }

  /** Where the reference masks are, or null without {@code masks}. */
  ReferenceMasks referenceMasks() {
    return masks != null ? new ReferenceMasks(masks, imagesRoot) : null;
  }

  /**
   * How an executor whose cores run {@code executorCores} tasks at once sizes its Segmenter: batches of
   * {@code maxBatch} (default: none on a CPU, all of its tasks' images on CUDA) and, unless {@code concurrency} says, one worker per batch
   * that can run at once, so that each batch gets its share of the cores' intra-op threads rather than one.
   */
  record Sizing(int workers, int maxBatch, Duration maxWait) {}

  Sizing sizing(int executorCores) {
    int tasks = Math.max(1, Math.min(64, executorCores));
    int batch = maxBatch != null ? maxBatch : device == DeviceChoice.CUDA ? tasks : 1;
    int workers = concurrency != null ? concurrency : (tasks + batch - 1) / batch;
    return new Sizing(workers, batch,
        Duration.ofMillis(maxWaitMillis != null ? maxWaitMillis : DEFAULT_MAX_WAIT_MILLIS));
  }

  /** Session settings for one executor: {@code threads}, else the host's cores shared by the concurrent images. */
  SessionConfig sessionConfig(int concurrentImages) {
    int intraOp = threads != null ? threads
        : Math.max(1, Runtime.getRuntime().availableProcessors() / concurrentImages);
    return SessionConfig.builder().device(device).intraOpThreads(intraOp).build();
  }

  /** A Segmenter builder with these options, as the CLI's {@code --scheduler --steps ...} make one. */
  Segmenter.Builder apply(Segmenter.Builder b) {
    b.gating(gating).cleanup(largestComponent, fillHoles).maxPixels(maxPixels).confidence(confidence);
    if (scheduler != null) b.scheduler(SchedulerSpec.parse(scheduler));
    if (steps != null) b.steps(steps);
    if (ensemble != null) b.ensemble(ensemble);
    if (seed != null) b.seed(seed);
    if (initialSample != null) b.initialSample(InitialSample.of(initialSample));
    if (flipAverage != null) b.flipAverage(flipAverage);
    if (maskThreshold != null) b.maskThreshold(maskThreshold);
    if (gateThreshold != null) b.gateThreshold(gateThreshold);
    return b;
  }

  /** Settings of a {@link SegmentOptions}; every one is optional. */
  public static final class Builder {
    private String model;
    private String scheduler;
    private Integer steps;
    private Integer ensemble;
    private Long seed;
    private String initialSample;
    private Double maskThreshold;
    private boolean gating = true;
    private Double gateThreshold;
    private boolean largestComponent;
    private boolean fillHoles;
    private long maxPixels = ImageDecoder.DEFAULT_MAX_PIXELS;
    private String masks;
    private String imagesRoot;
    private Integer concurrency;
    private Integer threads;
    private DeviceChoice device = DeviceChoice.AUTO;
    private Integer maxBatch;
    private Integer maxWaitMillis;
    private Boolean flipAverage;
    private boolean confidence = true;

    private Builder() {}

    /** Score each mask's confidence (on by default). */
    public Builder confidence(boolean value) {
      this.confidence = value;
      return this;
    }

    /** Average each image with its horizontal mirror; null for the bundle's default. */
    public Builder flipAverage(Boolean value) {
      this.flipAverage = value;
      return this;
    }

    public Builder model(String value) {
      this.model = value;
      return this;
    }

    public Builder scheduler(String value) {
      this.scheduler = value;
      return this;
    }

    public Builder steps(Integer value) {
      this.steps = value;
      return this;
    }

    public Builder ensemble(Integer value) {
      this.ensemble = value;
      return this;
    }

    /** "noise" or "zeros" (x_T = 0); null for the bundle's. */
    public Builder initialSample(String value) {
      this.initialSample = value;
      return this;
    }

    public Builder seed(Long value) {
      this.seed = value;
      return this;
    }

    public Builder maskThreshold(Double value) {
      this.maskThreshold = value;
      return this;
    }

    public Builder gating(boolean value) {
      this.gating = value;
      return this;
    }

    public Builder gateThreshold(Double value) {
      this.gateThreshold = value;
      return this;
    }

    public Builder cleanup(boolean largest, boolean holes) {
      this.largestComponent = largest;
      this.fillHoles = holes;
      return this;
    }

    public Builder maxPixels(long value) {
      this.maxPixels = value;
      return this;
    }

    public Builder masks(String value) {
      this.masks = value;
      return this;
    }

    /** The folder the images lie under, so masks are matched by the path relative to it (see the record). */
    public Builder imagesRoot(String value) {
      this.imagesRoot = value;
      return this;
    }

    public Builder concurrency(Integer value) {
      this.concurrency = value;
      return this;
    }

    public Builder threads(Integer value) {
      this.threads = value;
      return this;
    }

    public Builder device(DeviceChoice value) {
      this.device = value;
      return this;
    }

    /** Images of concurrent tasks batched together, 1..64; 1 turns batching off; null for the executor's cores. */
    public Builder maxBatch(Integer value) {
      this.maxBatch = value;
      return this;
    }

    /** How long the first image of a batch waits for the others, 0..1000 ms; null for the default. */
    public Builder maxWaitMillis(Integer value) {
      this.maxWaitMillis = value;
      return this;
    }

    /** {@code true}: {@link DeviceChoice#CPU}; {@code false}: {@link DeviceChoice#AUTO}. */
    public Builder cpu(boolean value) {
      this.device = value ? DeviceChoice.CPU : DeviceChoice.AUTO;
      return this;
    }

    public SegmentOptions build() {
      return new SegmentOptions(model, scheduler, steps, ensemble, seed, initialSample, maskThreshold, gating,
          gateThreshold,
          largestComponent, fillHoles, maxPixels, masks, imagesRoot, concurrency, threads, device, maxBatch,
          maxWaitMillis, flipAverage, confidence);
    }
  }
}
