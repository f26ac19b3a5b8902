package org.pgdiffseg.sdk.pipeline;

import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CancellationException;
import org.pgdiffseg.sdk.InferenceException;
import org.pgdiffseg.sdk.gating.GateDecision;
import org.pgdiffseg.sdk.gating.GatePolicy;
import org.pgdiffseg.sdk.imaging.MaskPostprocessor;
import org.pgdiffseg.sdk.noise.TorchCompatibleNoise;
import org.pgdiffseg.sdk.runtime.DiffusionGraphs;
import org.pgdiffseg.sdk.schedule.DiffusionSchedule;
import org.pgdiffseg.sdk.noise.NoiseSource;
import org.pgdiffseg.sdk.schedule.Scheduler;

/**
 * One sampling lane: its bindings on the shared sessions and every buffer of the denoising loop, reused from image to image
 * (reallocated only when the ensemble size changes). Not thread-safe: the {@link Segmenter} hands each
 * worker to one thread at a time.
 */
final class DenoisingWorker implements AutoCloseable {
  private final DiffusionGraphs graphs;
  private final DiffusionSchedule schedule;
  private final ModelSettings.MaskRange maskRange;
  private final int pixels;
  private int batch;
  private float[] image;
  private float[] logits;
  private float[] coarse;
  private float[] xt;
  private float[] prev;
  private float[] x0;
  private float[] eps;
  private float[] t;

  DenoisingWorker(DiffusionGraphs graphs, DiffusionSchedule schedule, ModelSettings.MaskRange maskRange) {
    this.graphs = graphs;
    this.schedule = schedule;
    this.maskRange = maskRange;
    int[] hw = graphs.imageShape();
    this.pixels = hw[0] * hw[1];
  }

  int pixels() {
    return pixels;
  }

  int[] imageShape() {
    return graphs.imageShape();
  }

  /** Timings of the last {@link #sample} call. */
  long priorNanos;
  long denoiseNanos;

  private void ensureBatch(int k) {
    if (k == batch) {
      return;
    }
    batch = k;
    image = new float[k * pixels];
    logits = new float[k * graphs.classCount()];
    int[] coarseShape = graphs.coarseMaskShape();
    coarse = new float[k * coarseShape[0] * coarseShape[1]];
    xt = new float[k * pixels];
    prev = new float[k * pixels];
    x0 = new float[k * pixels];
    eps = new float[k * pixels];
    t = new float[k];
  }

  /**
   * Runs the prior on K copies of {@code preprocessed}, gates, and unless skipped runs the scheduler loop;
   * writes the ensemble-mean probability into {@code probabilityOut} and returns the gate's decision.
   */
  GateDecision sample(float[] preprocessed, SamplingOptions options, GatePolicy gate, SegmentRequest request,
      float[] probabilityOut, List<float[]> trajectoryOut) throws InferenceException {
    int k = options.ensemble();
    ensureBatch(k);
    for (int i = 0; i < k; i++) {
      System.arraycopy(preprocessed, 0, image, i * pixels, pixels);
    }
    long start = System.nanoTime();
    graphs.conditionOn(image, k, logits, coarse);
    requireFinite(logits, "class_logits of the prior graph", -1);
    GateDecision decision = gate.decide(logits, 0);
    priorNanos = System.nanoTime() - start;
    start = System.nanoTime();
    if (decision.skipped()) {
      Arrays.fill(probabilityOut, 0f);
      denoiseNanos = 0;
      return decision;
    }
    Scheduler scheduler = options.scheduler().create(schedule);
    NoiseSource noise = new TorchCompatibleNoise(options.seed());
    scheduler.setTimesteps(options.steps());
    int[] timesteps = scheduler.timesteps();
    noise.fill(xt);
    float[] sample = xt;
    float[] next = prev;
    for (int i = 0; i < timesteps.length; i++) {
      if (request.cancellation().isCancelled()) {
        throw new CancellationException("segmentation cancelled after " + i + " of " + timesteps.length + " steps");
      }
      Arrays.fill(t, timesteps[i]);
      graphs.denoise(sample, t, eps);
      requireFinite(eps, "eps of the denoiser graph at timestep ", timesteps[i]);
      scheduler.step(eps, timesteps[i], sample, noise, next, x0);
      float[] swap = sample;
      sample = next;
      next = swap;
      if (request.keepTrajectory()) {
        float[] frame = new float[pixels];
        MaskPostprocessor.ensembleProbability(x0, k, frame, maskRange.background(), maskRange.lesion());
        trajectoryOut.add(frame);
      }
      request.progress().onStep(i + 1, timesteps.length, timesteps[i]);
    }
    requireFinite(sample, "the final sample", -1);
    MaskPostprocessor.ensembleProbability(sample, k, probabilityOut, maskRange.background(), maskRange.lesion());
    denoiseNanos = System.nanoTime() - start;
    return decision;
  }

  /** The message is built only on failure: this runs every step and must not allocate. */
  private static void requireFinite(float[] values, String what, int timestep) throws InferenceException {
    for (float v : values) {
      if (!Float.isFinite(v)) {
        throw new InferenceException("non-finite value (" + v + ") in " + what + (timestep >= 0 ? timestep : "")
            + "; refusing to build a mask from it");
      }
    }
  }

  @Override
  public void close() {
    graphs.close();
  }
}
