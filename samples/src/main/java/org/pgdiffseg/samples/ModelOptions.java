package org.pgdiffseg.samples;

import java.nio.file.Path;
import org.pgdiffseg.sdk.BundleException;
import org.pgdiffseg.sdk.bundle.ModelBundle;
import org.pgdiffseg.sdk.pipeline.Segmenter;
import org.pgdiffseg.sdk.runtime.SessionConfig;
import org.pgdiffseg.sdk.schedule.SchedulerSpec;
import org.pgdiffseg.zoo.ModelZoo;
import picocli.CommandLine.Option;

/** Model and sampling options shared by the commands that segment. Unset options keep the bundle's defaults. */
final class ModelOptions {
  @Option(names = "--model", paramLabel = "ID|DIR", description = "Zoo model id, bundle folder or zip (default: the zoo's default model).")
  String model;

  @Option(names = "--scheduler", paramLabel = "NAME",
      description = "ddpm, ddim, dpm++, dpm++3, dpm++-sde, dpm, unipc or unipc-p (default: the bundle's).")
  String scheduler;

  @Option(names = "--steps", paramLabel = "N", description = "Sampling steps (default: the bundle's).")
  Integer steps;

  @Option(names = "--ensemble", paramLabel = "K", description = "Samples averaged per image, run as one batch (default: the bundle's).")
  Integer ensemble;

  @Option(names = "--seed", paramLabel = "S", description = "Seed of the torch-compatible noise (default: the bundle's).")
  Long seed;

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

  @Option(names = "--cpu", description = "Run on CPU even where a GPU is available.")
  boolean cpu;

  @Option(names = "--threads", paramLabel = "N", description = "ONNX Runtime intra-op threads (default: all cores).")
  Integer threads;

  @Option(names = "--spin", negatable = true, paramLabel = "BOOL",
      description = "Let ONNX Runtime's worker threads spin between operators (default: ${DEFAULT-VALUE}).",
      defaultValue = "true", fallbackValue = "true")
  boolean spin;

  @Option(names = "--optimization", paramLabel = "LEVEL",
      description = "ONNX Runtime graph optimisation: ${COMPLETION-CANDIDATES} (default: ${DEFAULT-VALUE}).",
      defaultValue = "ALL")
  SessionConfig.Optimization optimization;

  @Option(names = "--memory-pattern", negatable = true, paramLabel = "BOOL",
      description = "Let ONNX Runtime plan its memory from the first run's pattern (default: ${DEFAULT-VALUE}).",
      defaultValue = "true", fallbackValue = "true")
  boolean memoryPattern;

  @Option(names = "--cache", paramLabel = "DIR", description = "Model cache folder (default: $PGDIFFSEG_CACHE, else ~/.pgdiffseg).")
  Path cache;

  ModelBundle bundle() throws BundleException {
    ModelZoo defaults = ModelZoo.defaultZoo();
    ModelZoo zoo = cache == null ? defaults : new ModelZoo(cache, defaults.index());
    return model == null ? zoo.getDefault() : zoo.get(model);
  }

  SessionConfig sessionConfig() {
    SessionConfig.Builder sessions = (cpu ? SessionConfig.cpuOnly() : SessionConfig.defaults()).toBuilder();
    if (threads != null) {
      sessions.intraOpThreads(threads);
    }
    return sessions.spinning(spin).optimization(optimization).memoryPattern(memoryPattern).build();
  }

  Segmenter.Builder builder() throws BundleException {
    Segmenter.Builder b = Segmenter.builder().bundle(bundle()).gating(!noGating).sessionConfig(sessionConfig())
        .cleanup(largestComponent, fillHoles);
    if (scheduler != null) b.scheduler(SchedulerSpec.parse(scheduler));
    if (steps != null) b.steps(steps);
    if (ensemble != null) b.ensemble(ensemble);
    if (seed != null) b.seed(seed);
    if (threshold != null) b.maskThreshold(threshold);
    if (gateThreshold != null) b.gateThreshold(gateThreshold);
    return b;
  }

  Segmenter open() throws BundleException {
    return builder().build();
  }
}
