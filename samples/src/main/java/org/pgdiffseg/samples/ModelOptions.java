package org.pgdiffseg.samples;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.pgdiffseg.sdk.BundleException;
import org.pgdiffseg.sdk.bundle.BundleManifest;
import org.pgdiffseg.sdk.bundle.ManifestLimits;
import org.pgdiffseg.sdk.bundle.ModelBundle;
import org.pgdiffseg.sdk.pipeline.InitialSample;
import org.pgdiffseg.sdk.pipeline.ModelSettings;
import org.pgdiffseg.sdk.pipeline.SamplingOptions;
import org.pgdiffseg.sdk.pipeline.RunRecord;
import org.pgdiffseg.sdk.pipeline.Segmenter;
import org.pgdiffseg.sdk.runtime.SessionConfig;
import org.pgdiffseg.sdk.schedule.SchedulerSpec;
import org.pgdiffseg.zoo.ModelZoo;
import org.pgdiffseg.zoo.ZooIndex;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** Model and sampling options shared by the commands that segment. Unset options keep the bundle's defaults. */
final class ModelOptions {
  /** The SDK's limit on the ensemble, run as one batch. */
  static final int MAX_ENSEMBLE = ManifestLimits.MAX_ENSEMBLE;

  @Option(names = "--model", paramLabel = "ID|DIR", description = "Zoo model id (ID@VERSION for that version only),"
      + " bundle folder or zip (default: the zoo's default model).")
  String model;

  @Option(names = "--scheduler", paramLabel = "NAME",
      description = "ddpm, ddim, ddim-trailing, dpm++, dpm++3, dpm++-sde, dpm, unipc or unipc-p (default: the bundle's).")
  String scheduler;

  @Option(names = "--steps", paramLabel = "N", description = "Sampling steps (default: the bundle's).")
  Integer steps;

  @Option(names = "--ensemble", paramLabel = "K", description = "Samples averaged per image, run as one batch (default: the bundle's).")
  Integer ensemble;

  @Option(names = "--seed", paramLabel = "S", description = "Seed of the torch-compatible noise (default: the bundle's).")
  Long seed;

  @Option(names = "--initial-sample", paramLabel = "FROM",
      description = "Start sampling from noise or zeros (default: the bundle's; zeros makes a deterministic sampler seed-free).")
  String initialSample;

  @Option(names = "--flip-average", negatable = true,
      description = "Average each image's lesion probability with its horizontal mirror's, sampled in the same batch"
          + " (twice the rows per graph call; the gate looks at the image itself). --no-flip-average turns it off"
          + " (default: the bundle's, off where it does not say).")
  Boolean flipAverage;

  @Option(names = "--no-confidence",
      description = "Do not score each mask's confidence, nor make the graph call its model needs (for the default"
          + " model the prior on the image's mirror, under a tenth of an image's time): no confidence or review flag;"
          + " the masks and the uncertainty map stay the same.")
  boolean noConfidence;

  @Option(names = "--threshold", paramLabel = "T", description = "Mask threshold on the lesion probability (default: the bundle's).")
  Double threshold;

  @Option(names = "--no-gating", description = "Always run diffusion, even when the prior says no tumor.")
  boolean noGating;

  @Option(names = "--gate-threshold", paramLabel = "P", description = "Skip diffusion when P(no tumor) >= P (default: the bundle's).")
  Double gateThreshold;

  @Option(names = "--largest-component", description = "Keep only the largest connected lesion.")
  boolean largestComponent;

  @Option(names = "--fill-holes", description = "Fill holes inside lesions.")
  boolean fillHoles;

  @Mixin DeviceOptions device = new DeviceOptions();

  @Option(names = "--threads", paramLabel = "N", description = "ONNX Runtime intra-op threads, 1 to 4 per core "
      + "(at most 256): more only take turns on the same cores and slow every image down (default: all cores).")
  Integer threads;

  @Option(names = "--spin", negatable = true, paramLabel = "BOOL",
      description = "Let ONNX Runtime's worker threads spin between operators (default: ${DEFAULT-VALUE}: spinning"
          + " threads take the cores from everything else, see docs/throughput.md).",
      defaultValue = "false", fallbackValue = "true")
  boolean spin;

  @Option(names = "--optimization", paramLabel = "LEVEL",
      description = "ONNX Runtime graph optimisation: ${COMPLETION-CANDIDATES} (default: ${DEFAULT-VALUE}).",
      defaultValue = "ALL")
  SessionConfig.Optimization optimization;

  @Option(names = "--memory-pattern", negatable = true, paramLabel = "BOOL",
      description = "Let ONNX Runtime plan its memory from the first run's pattern (default: ${DEFAULT-VALUE}).",
      defaultValue = "true", fallbackValue = "true")
  boolean memoryPattern;

  @Option(names = "--settings-from", paramLabel = "FILE",
      description = "Replay a run: the model, sampler (its full config), steps, seed, start, thresholds, cleanup and"
          + " gate recorded in a results.json or eval.json; the same SDK version on the same device gives the same"
          + " masks bit for bit. --model may point to the model elsewhere (its sha256 must match); other sampling"
          + " options are refused.")
  Path settingsFrom;

  /** The record read from --settings-from, once. */
  private RecordedRun replayed;

  @Option(names = "--cache", paramLabel = "DIR", description = "Model cache folder (default: $PGDIFFSEG_CACHE, else ~/.pgdiffseg).")
  Path cache;

  ModelBundle bundle() throws BundleException {
    return zoo().get(source());
  }

  private ModelZoo zoo() throws BundleException {
    ModelZoo defaults = ModelZoo.defaultZoo();
    return cache == null ? defaults : new ModelZoo(cache, defaults.index());
  }

  /** The model as the user named it: --model, else the replayed record's, else the zoo's default id. */
  String source() throws BundleException {
    if (model != null) {
      return model;
    }
    if (settingsFrom != null) {
      return replayed().source();
    }
    return ZooIndex.embedded().defaultEntry().id();
  }

  private RecordedRun replayed() {
    if (replayed == null) {
      replayed = RecordedRun.read(settingsFrom);
    }
    return replayed;
  }

  SessionConfig sessionConfig() {
    SessionConfig.Builder sessions = SessionConfig.builder().device(device.choice());
    if (threads != null) {
      sessions.intraOpThreads(threads);
    }
    return sessions.spinning(spin).optimization(optimization).memoryPattern(memoryPattern).build();
  }

  /**
   * Refuses settings that cannot run, naming the option, before a model is opened or an image read: the SDK's
   * own messages name its fields (diffusers' num_inference_steps) and some come only when an image reaches
   * the diffusion loop, or never when the gate skips it.
   */
  void checkRanges() {
    if (ensemble != null && (ensemble < 1 || ensemble > MAX_ENSEMBLE)) {
      throw new IllegalArgumentException("--ensemble must be in 1.." + MAX_ENSEMBLE + ", got " + ensemble);
    }
    if (seed != null && seed < 0) {
      // torch.manual_seed maps a negative seed to 2^64 - 1 + seed, not to its two's complement: no matching stream.
      throw new IllegalArgumentException("--seed must be >= 0, got " + seed);
    }
    if (threshold != null && !(threshold > 0 && threshold < 1)) {
      throw new IllegalArgumentException("--threshold must be in (0, 1), got " + threshold);
    }
    if (gateThreshold != null && !(gateThreshold >= 0 && gateThreshold <= 1)) {
      throw new IllegalArgumentException("--gate-threshold must be in [0, 1], got " + gateThreshold);
    }
    if (threads != null && (threads < 1 || threads > SessionConfig.maxThreads())) {
      throw new IllegalArgumentException("--threads must be in 1.." + SessionConfig.maxThreads()
          + " (4 per core, at most 256), got " + threads);
    }
    device.choice();   // --cpu against another --device
    if (steps != null && steps < 1) {
      throw new IllegalArgumentException("--steps must be >= 1, got " + steps);
    }
    if (initialSample != null && !List.of("noise", "zeros").contains(initialSample)) {
      throw new IllegalArgumentException("--initial-sample must be noise or zeros, got " + initialSample);
    }
  }

  /** {@code --steps} against the timesteps the bundle's model was trained with. */
  void checkSteps(BundleManifest manifest) {
    int trainSteps = manifest.diffusion().numTrainTimesteps();
    if (steps != null && steps > trainSteps) {
      throw new IllegalArgumentException("--steps must be in 1.." + trainSteps + " (" + manifest.id()
          + " was trained with " + trainSteps + " timesteps), got " + steps);
    }
  }

  Segmenter.Builder builder() throws BundleException {
    if (settingsFrom != null) {
      return replayBuilder();
    }
    checkRanges();
    device.check();   // before the model is installed or opened
    ModelBundle bundle = bundle();
    checkSteps(bundle.manifest());
    Segmenter.Builder b = Segmenter.builder().bundle(bundle).gating(!noGating).sessionConfig(sessionConfig())
        .cleanup(largestComponent, fillHoles).confidence(!noConfidence);
    if (scheduler != null) b.scheduler(SchedulerSpec.parse(scheduler));
    if (steps != null) b.steps(steps);
    if (ensemble != null) b.ensemble(ensemble);
    if (seed != null) b.seed(seed);
    if (initialSample != null) b.initialSample(InitialSample.of(initialSample));
    if (flipAverage != null) b.flipAverage(flipAverage);
    if (threshold != null) b.maskThreshold(threshold);
    if (gateThreshold != null) b.gateThreshold(gateThreshold);
    refuseIdenticalSamples(ModelSettings.of(bundle).samplingDefaults());
    return b;
  }

  /** The builder of a recorded run, on the recorded model (or --model, when its bundle.json is the same). */
  private Segmenter.Builder replayBuilder() throws BundleException {
    List<String> conflicting = new ArrayList<>();
    if (scheduler != null) conflicting.add("--scheduler");
    if (steps != null) conflicting.add("--steps");
    if (ensemble != null) conflicting.add("--ensemble");
    if (seed != null) conflicting.add("--seed");
    if (initialSample != null) conflicting.add("--initial-sample");
    if (flipAverage != null) conflicting.add(flipAverage ? "--flip-average" : "--no-flip-average");
    if (threshold != null) conflicting.add("--threshold");
    if (gateThreshold != null) conflicting.add("--gate-threshold");
    if (noGating) conflicting.add("--no-gating");
    if (largestComponent) conflicting.add("--largest-component");
    if (fillHoles) conflicting.add("--fill-holes");
    if (!conflicting.isEmpty()) {
      throw new IllegalArgumentException("--settings-from " + settingsFrom + " sets the sampling and the gate as"
          + " recorded; leave out " + String.join(", ", conflicting));
    }
    checkRanges();   // what is left to check: --threads, --device
    device.check();
    RunRecord record = replayed().record();
    // the confidence does not change a mask: a replay may score it or not
    return record.applyTo(Segmenter.builder().sessionConfig(sessionConfig()).confidence(!noConfidence), bundle());
  }

  /**
   * An ensemble of samples that all start from x_T = 0 under a sampler that adds no noise is K identical
   * samples at K times the cost: refused, naming what to change.
   */
  private void refuseIdenticalSamples(SamplingOptions defaults) {
    int k = ensemble != null ? ensemble : defaults.ensemble();
    InitialSample start = initialSample != null ? InitialSample.of(initialSample) : defaults.initialSample();
    SchedulerSpec spec = scheduler != null ? SchedulerSpec.parse(scheduler) : defaults.scheduler();
    if (k > 1 && start == InitialSample.ZEROS && !spec.addsNoise()) {
      throw new IllegalArgumentException("--ensemble " + k + " from x_T = 0 with " + spec.name() + ", which adds no"
          + " noise, gives " + k + " identical samples at " + k + " times the cost; add --initial-sample noise, or"
          + " leave --ensemble at 1");
    }
  }

  Segmenter open() throws BundleException {
    return builder().build();
  }
}
