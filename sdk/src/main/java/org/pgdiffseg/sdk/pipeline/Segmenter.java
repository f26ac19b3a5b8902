package org.pgdiffseg.sdk.pipeline;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;
import static com.google.common.base.Preconditions.checkState;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import org.pgdiffseg.sdk.BundleException;
import org.pgdiffseg.sdk.InferenceException;
import org.pgdiffseg.sdk.PgDiffSegException;
import org.pgdiffseg.sdk.bundle.BundleManifest;
import org.pgdiffseg.sdk.bundle.ManifestLimits;
import org.pgdiffseg.sdk.bundle.ModelBundle;
import org.pgdiffseg.sdk.gating.GateDecision;
import org.pgdiffseg.sdk.gating.GatePolicy;
import org.pgdiffseg.sdk.imaging.BinaryMask;
import org.pgdiffseg.sdk.imaging.DecodedImage;
import org.pgdiffseg.sdk.imaging.ImageDecoder;
import org.pgdiffseg.sdk.imaging.MaskPostprocessor;
import org.pgdiffseg.sdk.imaging.PreprocessSpec;
import org.pgdiffseg.sdk.imaging.Preprocessor;
import org.pgdiffseg.sdk.metrics.ImageScale;
import org.pgdiffseg.sdk.metrics.ScaledMeasurements;
import org.pgdiffseg.sdk.runtime.LoadedGraphs;
import org.pgdiffseg.sdk.runtime.ExecutionDevice;
import org.pgdiffseg.sdk.runtime.OrtRuntime;
import org.pgdiffseg.sdk.runtime.SessionConfig;
import org.pgdiffseg.sdk.schedule.DiffusionSchedule;
import org.pgdiffseg.sdk.schedule.SchedulerSpec;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Segments images with a PGDiffSeg bundle: decode, preprocess, prior graph, gate, the scheduler loop over
 * the denoiser graph (an ensemble of K samples as one batch of K), ensemble mean, threshold, mask at the
 * original size.
 *
 * <p>Thread-safe: {@link #segment} may be called from many threads; each call takes one of
 * {@code concurrency} workers and waits while all are busy. The model is loaded once ({@link LoadedGraphs}:
 * both sessions, checked against the manifest once); a worker is only its I/O bindings and buffers on those
 * shared sessions. Results do not depend on which thread or worker ran them. {@link #close()} is idempotent; use after close throws
 * {@link IllegalStateException}.
 */
public final class Segmenter implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(Segmenter.class);
  private final ModelBundle bundle;
  private final ModelSettings settings;
  private final SamplingOptions options;
  private final GatePolicy gate;
  private final ImageDecoder decoder;
  private final Preprocessor preprocessor;
  private final BlockingQueue<DenoisingWorker> idle;
  private final List<DenoisingWorker> workers = new ArrayList<>();
  private final LoadedGraphs model;
  private final ExecutionDevice device;
  private final String manifestSha256;
  private final RunRecord record;
  /** Groups concurrent calls into batches; null when batching is off. */
  private final CallBatcher batcher;
  private final int maxBatch;
  private final Duration maxWait;
  private final AtomicBoolean closed = new AtomicBoolean();
  private final ResultAssessment assessment;
  private final boolean confidence;   // as asked: the bundle may have no model to score it with
  /** The session settings in effect: the builder's, with intra-op threads 0 resolved ({@link WorkerThreads}). */
  private final SessionConfig sessionConfig;
  private final SessionConfig requestedSessionConfig;   // before its threads were shared out among the workers

  private Segmenter(Builder b) throws BundleException {
    this.bundle = b.bundle;
    BundleManifest m = bundle.manifest();
    this.settings = ModelSettings.of(bundle);
    this.confidence = b.confidence;
    this.assessment = ResultAssessment.of(m, b.confidence);
    this.options = b.resolveOptions(settings.samplingDefaults());
    this.gate = settings.gate().withEnabled(b.gating)
        .withThreshold(b.gateThreshold != null ? b.gateThreshold : settings.gate().threshold());
    this.decoder = new ImageDecoder(b.maxPixels);
    PreprocessSpec in = settings.preprocess();
    this.preprocessor = new Preprocessor(in);
    DiffusionSchedule schedule = settings.schedule();
    checkSteps(options);
    options.scheduler().create(schedule);   // refuse a scheduler this schedule cannot drive, now
    this.idle = new ArrayBlockingQueue<>(b.concurrency);
    this.requestedSessionConfig = b.sessionConfig;
    this.sessionConfig = WorkerThreads.resolve(b.sessionConfig, b.concurrency,
        Runtime.getRuntime().availableProcessors());
    this.model = LoadedGraphs.open(OrtRuntime.shared(), bundle.graphPath(BundleManifest.PRIOR),
        bundle.graphPath(BundleManifest.DENOISER), sessionConfig);
    try {
      GraphManifestCheck.check(BundleManifest.PRIOR, m.prior(), model.priorSession());
      GraphManifestCheck.check(BundleManifest.DENOISER, m.denoiser(), model.denoiserSession());
      for (int i = 0; i < b.concurrency; i++) {
        workers.add(new DenoisingWorker(model.bind(), schedule, settings.maskRange(),
            assessment.needsMirroredPrior()));
      }
      int[] hw = workers.get(0).imageShape();
      if (hw[0] != in.height() || hw[1] != in.width()) {
        throw new BundleException(bundle.root() + ": input is " + in.height() + "x" + in.width()
            + " in bundle.json but " + hw[0] + "x" + hw[1] + " in the graphs");
      }
      idle.addAll(workers);
      smokeTest();
    } catch (BundleException | RuntimeException e) {
      closeWorkersAndModel();
      throw e;
    }
    this.device = model.device();
    this.maxBatch = b.maxBatch;
    this.maxWait = b.maxWait;
    this.batcher = b.maxBatch > 1 ? new CallBatcher(b.maxBatch, b.maxWait.toNanos(), new CallBatcher.Runner() {
      @Override
      public List<SegmentationResult> batch(List<DecodedImage> images, SamplingOptions used) throws PgDiffSegException {
        return segmentBatch(images, SegmentRequest.defaults().withOptions(used));
      }

      @Override
      public SegmentationResult alone(DecodedImage image, SamplingOptions used) throws PgDiffSegException {
        return segmentAlone(image, SegmentRequest.defaults().withOptions(used), 0);
      }
    }) : null;
    this.manifestSha256 = RunRecord.manifestSha256(bundle);
    this.record = RunRecord.of(bundle, manifestSha256, schedule, options, gate, device, model.deviceReason());
    LOG.info("Segmenter on {} {}: {} worker(s) (more concurrent callers wait for one), {} intra-op thread(s) per"
        + " graph call{}, {}, {}; {}", m.id(), m.version(), b.concurrency, sessionConfig.intraOpThreads(),
        sessionConfig.spinning() ? " (spinning)" : "", device,
        b.maxBatch > 1 ? "concurrent calls batched up to " + b.maxBatch + " within " + b.maxWait.toMillis() + " ms"
            : "no batching of concurrent calls", options);
  }

  /** More steps than the model's training timesteps leave no timestep to visit: refused before any image. */
  private SamplingOptions checkSteps(SamplingOptions o) {
    int trainSteps = settings.schedule().numTrainTimesteps();
    checkArgument(o.steps() <= trainSteps, "steps must be in 1..%s (the bundle's diffusion.num_train_timesteps), got %s",
        trainSteps, o.steps());
    return o;
  }

  /** Runs both graphs once on a blank image, so a broken bundle fails at load, not mid-batch. */
  private void smokeTest() throws BundleException {
    DenoisingWorker w = workers.get(0);
    float[] blank = new float[w.pixels()];
    try {
      w.sample(blank, options.withSteps(1).withEnsemble(1), gate.withEnabled(false), SegmentRequest.defaults(),
          new float[w.pixels()], new ArrayList<>());
    } catch (InferenceException e) {
      throw new BundleException(bundle.root() + ": the graphs fail on a blank input: " + e.getMessage(), e);
    }
  }

  public static Builder builder() {
    return new Builder();
  }

  /** A builder holding this segmenter's settings. */
  public Builder toBuilder() {
    return new Builder().bundle(bundle).options(options).gating(gate.enabled()).gateThreshold(gate.threshold())
        .maxPixels(decoder.maxPixels()).concurrency(workers.size()).batching(maxBatch, maxWait)
        .confidence(confidence).sessionConfig(requestedSessionConfig);
  }

  public ModelBundle bundle() {
    return bundle;
  }

  /** Whether results carry a confidence: asked for ({@link Builder#confidence}) and the bundle has a model for it. */
  public boolean scoresConfidence() {
    return assessment.scoresConfidence();
  }

  /** The bundle's settings, as read from its manifest once. */
  public ModelSettings settings() {
    return settings;
  }

  public SamplingOptions options() {
    return options;
  }

  public GatePolicy gate() {
    return gate;
  }

  /** Where the graphs run. */
  public ExecutionDevice device() {
    return device;
  }

  /** The session settings the graphs were opened with: intra-op threads 0 became cores / workers. */
  public SessionConfig sessionConfig() {
    return sessionConfig;
  }

  /** The most concurrent calls run as one batch ({@link Builder#batching}); 1 when dynamic batching is off. */
  public int maxBatch() {
    return maxBatch;
  }

  /** How long the first call of a batch waits for company ({@link Builder#batching}). */
  public Duration maxWait() {
    return maxWait;
  }

  /** The record of this segmenter's settings: what {@link SegmentationResult#record()} says at the defaults. */
  public RunRecord record() {
    return record;
  }

  /** The record of a run with {@code used}: this segmenter's, or one for options a request set. */
  private RunRecord recordOf(SamplingOptions used) {
    return used.equals(options) ? record
        : RunRecord.of(bundle, manifestSha256, settings.schedule(), used, gate, device, record.deviceReason());
  }

  public SegmentationResult segment(Path image) throws PgDiffSegException {
    return segment(image, SegmentRequest.defaults());
  }

  public SegmentationResult segment(Path image, SegmentRequest request) throws PgDiffSegException {
    checkOpen();
    long start = System.nanoTime();
    DecodedImage decoded = decoder.decode(image);
    return segment(decoded, request, System.nanoTime() - start);
  }

  public SegmentationResult segment(DecodedImage image, SegmentRequest request) throws PgDiffSegException {
    return segment(image, request, 0);
  }

  private SegmentationResult segment(DecodedImage image, SegmentRequest request, long decodeNanos)
      throws PgDiffSegException {
    checkNotNull(image, "image");
    checkNotNull(request, "request");
    if (batcher != null && batchable(request)) {
      checkOpen();
      return batcher.segment(image, request.options() != null ? request.options() : options);
    }
    return segmentAlone(image, request, decodeNanos);
  }

  /**
   * A call can join a batch when nothing in it is its own: no progress listener or trajectory (a batch reports
   * neither per image) and no cancellation already asked for.
   */
  private static boolean batchable(SegmentRequest request) {
    return request.progress() == ProgressListener.NONE && !request.keepTrajectory()
        && !request.cancellation().isCancelled();
  }

  /** How many batches the dynamic batching ran, and how many calls they served (0, 0 when it is off). */
  long[] batchingCounts() {
    return batcher == null ? new long[2] : new long[] {batcher.batchesRun(), batcher.callsServed()};
  }

  private SegmentationResult segmentAlone(DecodedImage image, SegmentRequest request, long decodeNanos)
      throws PgDiffSegException {
    long start = System.nanoTime();
    float[] input = preprocessor.preprocess(image);
    long preprocessNanos = System.nanoTime() - start;
    return run(image.name(), input, image.height(), image.width(), request, decodeNanos, preprocessNanos, start - decodeNanos,
        ImageScale.of(image));
  }

  /**
   * Segments several images together: one prior call for all of them, then one denoiser call per step for the
   * images the gate keeps (N x K rows in one batch), which is where a GPU, and a CPU with cores to spare, gain
   * throughput. Each result equals {@link #segment} of that image alone (each image draws its own noise from
   * the seed). The x0 trajectory is not kept for more than one image. The per-stage times of each result are
   * the batch's divided by its size.
   */
  public List<SegmentationResult> segmentBatch(List<DecodedImage> images, SegmentRequest request)
      throws PgDiffSegException {
    checkOpen();
    checkNotNull(request, "request");
    checkArgument(!images.isEmpty() && images.size() <= 64, "a batch holds 1..64 images, got %s", images.size());
    long startedAt = System.nanoTime();
    SamplingOptions used = request.options() != null ? checkSteps(request.options()) : options;
    PreprocessSpec in = settings.preprocess();
    List<float[]> inputs = new ArrayList<>(images.size());
    List<float[]> probabilities = new ArrayList<>(images.size());
    for (DecodedImage image : images) {
      inputs.add(preprocessor.preprocess(checkNotNull(image, "image")));
      probabilities.add(new float[in.height() * in.width()]);
    }
    long preprocessNanos = (System.nanoTime() - startedAt) / images.size();
    DenoisingWorker worker = take();
    List<GateDecision> decisions;
    List<AssessmentInputs> judged;
    long prior;
    long denoise;
    long mirrorPrior;
    try {
      decisions = worker.sample(inputs, used, gate, request, probabilities, new ArrayList<>());
      judged = worker.assessmentInputs();
      prior = worker.priorNanos / images.size();
      denoise = worker.denoiseNanos / images.size();
      mirrorPrior = worker.mirrorPriorNanos / images.size();
    } finally {
      idle.add(worker);
    }
    List<SegmentationResult> results = new ArrayList<>(images.size());
    for (int i = 0; i < images.size(); i++) {
      DecodedImage image = images.get(i);
      long start = System.nanoTime();
      BinaryMask mask = postprocess(decisions.get(i), probabilities.get(i), used, image.height(), image.width());
      ScaledMeasurements measured = ImageScale.of(image).measure(mask);
      long post = System.nanoTime() - start;
      start = System.nanoTime();
      ResultAssessment.Outcome judgement = assessment.assess(decisions.get(i), probabilities.get(i), in.height(),
          in.width(), judged.get(i), used.maskThreshold());
      long assess = System.nanoTime() - start + mirrorPrior;   // the mirror's prior call served judging only
      StageTimings timings = new StageTimings(0, preprocessNanos, prior, denoise, post,
          (System.nanoTime() - startedAt) / images.size(), assess);
      results.add(new SegmentationResult(image.name(), mask, probabilities.get(i), in.height(), in.width(),
          decisions.get(i), List.of(), timings, used, recordOf(used), measured, judgement.confidence(),
          judgement.uncertainty()));
    }
    return results;
  }

  private BinaryMask postprocess(GateDecision decision, float[] probability, SamplingOptions used, int height,
      int width) {
    PreprocessSpec in = settings.preprocess();
    return decision.skipped()
        ? BinaryMask.empty(width, height)
        : new MaskPostprocessor(used.maskThreshold(), used.keepLargestComponent(), used.fillHoles())
            .toMask(probability, in.height(), in.width(), height, width);
  }

  /**
   * Segments an already preprocessed model input ({@code modelHeight x modelWidth}, row-major, in the
   * manifest's normalisation range); the mask is resized to {@code height x width}. For conformance
   * checks and callers with their own preprocessing.
   */
  public SegmentationResult segmentPreprocessed(String name, float[] input, int height, int width,
      SegmentRequest request) throws PgDiffSegException {
    PreprocessSpec in = settings.preprocess();
    checkArgument(input.length == in.height() * in.width(), "input has %s values, expected %s x %s",
        input.length, in.height(), in.width());
    return run(name, input.clone(), height, width, request, 0, 0, System.nanoTime(), null);
  }

  private SegmentationResult run(String name, float[] input, int height, int width, SegmentRequest request,
      long decodeNanos, long preprocessNanos, long startedAt, ImageScale scale) throws PgDiffSegException {
    checkOpen();
    checkNotNull(request, "request");
    SamplingOptions used = request.options() != null ? checkSteps(request.options()) : options;
    PreprocessSpec in = settings.preprocess();
    float[] probability = new float[in.height() * in.width()];
    List<float[]> trajectory = new ArrayList<>();
    DenoisingWorker worker = take();
    GateDecision decision;
    AssessmentInputs judged;
    long prior;
    long denoise;
    long mirrorPrior;
    try {
      decision = worker.sample(input, used, gate, request, probability, trajectory);
      judged = worker.assessmentInputs().get(0);
      prior = worker.priorNanos;
      denoise = worker.denoiseNanos;
      mirrorPrior = worker.mirrorPriorNanos;
    } finally {
      idle.add(worker);
    }
    long start = System.nanoTime();
    BinaryMask mask = postprocess(decision, probability, used, height, width);
    ScaledMeasurements measured = scale != null ? scale.measure(mask)
        : ScaledMeasurements.of(mask, null, "none: a preprocessed input comes without the file that states a pixel size");
    long post = System.nanoTime() - start;
    start = System.nanoTime();
    ResultAssessment.Outcome judgement = assessment.assess(decision, probability, in.height(), in.width(), judged,
        used.maskThreshold());
    long assess = System.nanoTime() - start + mirrorPrior;   // the mirror's prior call served judging only
    StageTimings timings = new StageTimings(decodeNanos, preprocessNanos, prior, denoise, post,
        System.nanoTime() - startedAt, assess);
    return new SegmentationResult(name, mask, probability, in.height(), in.width(), decision, trajectory, timings, used,
        recordOf(used), measured, judgement.confidence(), judgement.uncertainty());
  }

  private DenoisingWorker take() throws InferenceException {
    try {
      return idle.take();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InferenceException("interrupted while waiting for a free worker", e);
    }
  }

  private void checkOpen() {
    checkState(!closed.get(), "this Segmenter is closed");
  }

  @Override
  public void close() {
    if (closed.compareAndSet(false, true)) {
      closeWorkersAndModel();
    }
  }

  /** Every worker's bindings first, then the sessions they are bound to. */
  private void closeWorkersAndModel() {
    workers.forEach(DenoisingWorker::close);
    model.close();
  }

  /**
   * Settings of a {@link Segmenter}. Required: {@link #bundle}. Every sampling option defaults to the
   * bundle's {@code sampling_defaults}.
   */
  public static final class Builder {
    private ModelBundle bundle;
    private SamplingOptions options;
    private SchedulerSpec scheduler;
    private Integer steps;
    private Integer ensemble;
    private Long seed;
    private InitialSample initialSample;
    private Double maskThreshold;
    private boolean keepLargestComponent;
    private boolean fillHoles;
    private Boolean flipAverage;
    private boolean gating = true;
    private boolean confidence = true;
    private Double gateThreshold;
    private long maxPixels = ImageDecoder.DEFAULT_MAX_PIXELS;
    private int concurrency = 1;
    private int maxBatch = 1;
    private Duration maxWait = Duration.ZERO;
    private SessionConfig sessionConfig = SessionConfig.defaults();

    private Builder() {}

    public Builder bundle(ModelBundle value) {
      this.bundle = checkNotNull(value, "bundle");
      return this;
    }

    /** All sampling options at once; individual setters called after this override it. */
    public Builder options(SamplingOptions value) {
      this.options = value;
      return this;
    }

    public Builder scheduler(SchedulerSpec value) {
      this.scheduler = checkNotNull(value, "scheduler");
      return this;
    }

    /** 1..100,000 here; at most the bundle's num_train_timesteps, checked by {@link #build}. */
    public Builder steps(int value) {
      checkArgument(value >= 1 && value <= ManifestLimits.MAX_TRAIN_TIMESTEPS, "steps must be in 1..%s, got %s",
          ManifestLimits.MAX_TRAIN_TIMESTEPS, value);
      this.steps = value;
      return this;
    }

    /** Samples averaged per image, run as one batch: 1..64. */
    public Builder ensemble(int value) {
      checkArgument(value >= 1 && value <= ManifestLimits.MAX_ENSEMBLE, "ensemble must be in 1..%s, got %s",
          ManifestLimits.MAX_ENSEMBLE, value);
      this.ensemble = value;
      return this;
    }

    public Builder seed(long value) {
      this.seed = value;
      return this;
    }

    /**
     * Start from noise or from zeros (default: the bundle's {@code sampling_defaults.initial_sample}, zeros for the
     * default model; noise where the bundle does not say); see {@link InitialSample}.
     */
    public Builder initialSample(InitialSample value) {
      this.initialSample = checkNotNull(value, "initialSample");
      return this;
    }

    public Builder maskThreshold(double value) {
      checkArgument(value > 0 && value < 1, "maskThreshold must be in (0, 1), got %s", value);
      this.maskThreshold = value;
      return this;
    }

    /** Keep only the largest connected lesion, and fill holes inside lesions. */
    public Builder cleanup(boolean largestComponent, boolean holes) {
      this.keepLargestComponent = largestComponent;
      this.fillHoles = holes;
      return this;
    }

    /**
     * Average each image's probability with its horizontal mirror's, sampled in the same batch (default: the
     * bundle's {@code sampling_defaults.flip_average}, off where it does not say); see {@link FlipAverage}.
     */
    public Builder flipAverage(boolean value) {
      this.flipAverage = value;
      return this;
    }

    /**
     * Score each mask with the bundle's confidence model (on by default, where the bundle has one). Off, results
     * have no {@link SegmentationResult#confidence()} and the model's own graph calls (the prior on each image's
     * mirror, docs/confidence.md) are not made; the uncertainty map is computed either way.
     */
    public Builder confidence(boolean enabled) {
      this.confidence = enabled;
      return this;
    }

    /** Skip diffusion when the prior says "no tumor" (on by default). */
    public Builder gating(boolean enabled) {
      this.gating = enabled;
      return this;
    }

    public Builder gateThreshold(double value) {
      checkArgument(value >= 0 && value <= 1, "gateThreshold must be in [0, 1], got %s", value);
      this.gateThreshold = value;
      return this;
    }

    /** Images with more pixels are refused from their header, before decoding. */
    public Builder maxPixels(long value) {
      checkArgument(value > 0, "maxPixels must be positive");
      this.maxPixels = value;
      return this;
    }

    /**
     * Number of images segmented at the same time by concurrent callers (one set of bindings each); default 1, so
     * callers on more threads wait for the worker. Unless the {@link SessionConfig} names its intra-op threads, the
     * workers share the cores: cores / n threads each, at least one. The values in effect are logged once.
     */
    public Builder concurrency(int value) {
      checkArgument(value >= 1 && value <= 64, "concurrency must be in 1..64, got %s", value);
      this.concurrency = value;
      return this;
    }

    /**
     * Dynamic batching (off by default): concurrent {@code segment} calls with the same options are grouped, up to
     * {@code maxBatch} images, into one graph call per step, the first call of a group waiting at most
     * {@code maxWait} for company. Each image's result is the one it gets alone. Calls with a progress listener,
     * a trajectory or a cancelled token run alone. {@code maxBatch} 1 turns it off.
     */
    public Builder batching(int maxBatch, Duration maxWait) {
      checkArgument(maxBatch >= 1 && maxBatch <= 64, "maxBatch must be in 1..64, got %s", maxBatch);
      checkNotNull(maxWait, "maxWait");
      checkArgument(!maxWait.isNegative() && maxWait.compareTo(Duration.ofSeconds(1)) <= 0,
          "maxWait must be in 0..1 s, got %s", maxWait);
      this.maxBatch = maxBatch;
      this.maxWait = maxWait;
      return this;
    }

    public Builder sessionConfig(SessionConfig value) {
      this.sessionConfig = checkNotNull(value, "sessionConfig");
      return this;
    }

    SamplingOptions resolveOptions(SamplingOptions bundleDefaults) {
      SamplingOptions base = options != null ? options : bundleDefaults;
      if (scheduler != null) base = base.withScheduler(scheduler);
      if (steps != null) base = base.withSteps(steps);
      if (ensemble != null) base = base.withEnsemble(ensemble);
      if (seed != null) base = base.withSeed(seed);
      if (initialSample != null) base = base.withInitialSample(initialSample);
      if (maskThreshold != null) base = base.withMaskThreshold(maskThreshold);
      if (keepLargestComponent || fillHoles) base = base.withCleanup(keepLargestComponent, fillHoles);
      if (flipAverage != null) base = base.withFlipAverage(flipAverage);
      return base;
    }

    /** Opens the graphs, checks them against the manifest and runs them once. */
    public Segmenter build() throws BundleException {
      checkState(bundle != null, "bundle is required");
      return new Segmenter(this);
    }
  }
}
