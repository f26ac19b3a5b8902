package org.pgdiffseg.sdk.pipeline;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CancellationException;
import org.pgdiffseg.sdk.InferenceException;
import org.pgdiffseg.sdk.gating.GateDecision;
import org.pgdiffseg.sdk.gating.GatePolicy;
import org.pgdiffseg.sdk.imaging.MaskPostprocessor;
import org.pgdiffseg.sdk.noise.PerImageNoise;
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
  private final boolean mirrorPrior;
  private final int pixels;
  private final int height;
  private final int width;
  private int batch;
  private float[] image;
  private float[] logits;
  private float[] coarse;
  private float[] xt;
  private float[] prev;
  private float[] x0;
  private float[] eps;
  private float[] t;

  /**
   * @param mirrorPrior whether each kept image's mirror also goes through the prior, for its coarse mask (the
   *     confidence model's {@code mirror_prior_agreement}); flip averaging has it without asking
   */
  DenoisingWorker(DiffusionGraphs graphs, DiffusionSchedule schedule, ModelSettings.MaskRange maskRange,
      boolean mirrorPrior) {
    this.graphs = graphs;
    this.schedule = schedule;
    this.maskRange = maskRange;
    this.mirrorPrior = mirrorPrior;
    int[] hw = graphs.imageShape();
    this.height = hw[0];
    this.width = hw[1];
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
  /** The mirrors' prior call made for judging only (0 where none was made); not in {@link #priorNanos}. */
  long mirrorPriorNanos;
  /** Per input of the last {@link #sample} call, in order: what judging its mask needs; null where gated. */
  private final List<AssessmentInputs> assessment = new ArrayList<>();

  /** The {@link AssessmentInputs} of the last {@link #sample} call's inputs (null entries where gated). */
  List<AssessmentInputs> assessmentInputs() {
    return java.util.Collections.unmodifiableList(new ArrayList<>(assessment));
  }

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
    return sample(List.of(preprocessed), options, gate, request, List.of(probabilityOut), trajectoryOut).get(0);
  }

  /**
   * The same for several images at once: one prior call for all of them (K copies each), then one denoiser call
   * per step for the images the gate keeps, N x K rows in one batch. Each image draws its noise from its own
   * stream of the seed ({@link PerImageNoise}), so its result equals sampling it alone. The trajectory is kept
   * only for a single image. With {@link SamplingOptions#flipAverage()} each image is followed by its mirror, 2K
   * rows per image ({@link FlipAverage}); each image's noise stream then serves its 2K rows.
   */
  List<GateDecision> sample(List<float[]> inputs, SamplingOptions options, GatePolicy gate, SegmentRequest request,
      List<float[]> probabilitiesOut, List<float[]> trajectoryOut) throws InferenceException {
    int k = options.ensemble();
    int n = inputs.size();
    boolean flip = options.flipAverage();
    int copies = flip ? 2 : 1;   // rows of K per image: the image, and its mirror when flip averaging
    long start = System.nanoTime();
    List<float[]> rows = flip ? withMirrors(inputs) : inputs;
    condition(rows, k);
    requireFinite(logits, "class_logits of the prior graph", -1);
    List<GateDecision> decisions = new ArrayList<>(n);
    List<float[]> kept = new ArrayList<>(n);
    List<float[]> keptOut = new ArrayList<>(n);
    List<Integer> keptIndex = new ArrayList<>(n);
    assessment.clear();
    for (int i = 0; i < n; i++) {
      GateDecision decision = gate.decide(logits, i * copies * k);   // the original image's row
      decisions.add(decision);
      assessment.add(null);
      if (decision.skipped()) {
        Arrays.fill(probabilitiesOut.get(i), 0f);
      } else {
        kept.add(inputs.get(i));
        keptOut.add(probabilitiesOut.get(i));
        keptIndex.add(i);
      }
    }
    if (!kept.isEmpty() && kept.size() < n) {
      // the denoiser is bound to the prior of the images it samples, and only those
      condition(flip ? withMirrors(kept) : kept, k);
    }
    priorNanos = System.nanoTime() - start;
    start = System.nanoTime();
    int[] coarseShape = graphs.coarseMaskShape();
    int coarsePixels = coarseShape[0] * coarseShape[1];
    boolean lookAtMirrors = mirrorPrior && !flip && !kept.isEmpty();
    List<float[]> mirrorsCoarse = lookAtMirrors ? mirroredCoarseMasks(kept, coarseShape) : null;
    mirrorPriorNanos = lookAtMirrors ? System.nanoTime() - start : 0;
    List<float[]> firstSteps = new ArrayList<>(kept.size());
    for (int j = 0; j < kept.size(); j++) {   // rows of the kept images now, K copies each (then the mirror's K)
      int row = j * copies * k;   // the image's own first row: its coarse mask, not its mirror's
      float[] coarseLogits = Arrays.copyOfRange(coarse, row * coarsePixels, (row + 1) * coarsePixels);
      float[] mirroredCoarse = mirrorsCoarse == null ? null : mirrorsCoarse.get(j);
      if (flip) {   // the mirror's first row is in the batch already
        mirroredCoarse = new float[coarsePixels];
        FlipAverage.mirror(coarse, (row + k) * coarsePixels, mirroredCoarse, 0, coarseShape[0], coarseShape[1]);
      }
      firstSteps.add(new float[pixels]);
      assessment.set(keptIndex.get(j), new AssessmentInputs(coarseLogits, coarseShape[0], coarseShape[1],
          firstSteps.get(j), k > 1 ? new float[pixels] : null, flip ? new float[pixels] : null, mirroredCoarse));
    }
    start = System.nanoTime();
    if (kept.isEmpty()) {
      denoiseNanos = 0;
      return decisions;
    }
    int m = kept.size();
    Scheduler scheduler = options.scheduler().create(schedule);
    NoiseSource noise = m == 1 ? new TorchCompatibleNoise(options.seed()) : new PerImageNoise(m, options.seed());
    scheduler.setTimesteps(options.steps());
    int[] timesteps = scheduler.timesteps();
    float[] initial = flip ? new float[m * k * pixels] : xt;   // with flip, the mirrors' x_T is mirrored, not drawn
    noise.fill(initial);   // drawn with ZEROS too, so a stochastic step's noise comes from the reference's place
    if (options.initialSample() == InitialSample.ZEROS) {
      Arrays.fill(initial, 0f);
    }
    if (flip) {
      FlipAverage.spreadInitialSample(initial, m, k, xt, height, width);
    }
    float[] scratch = flip ? new float[pixels] : null;
    float[] sample = xt;
    float[] next = prev;
    boolean keepTrajectory = request.keepTrajectory() && m == 1;
    for (int i = 0; i < timesteps.length; i++) {
      if (request.cancellation().isCancelled()) {
        throw new CancellationException("segmentation cancelled after " + i + " of " + timesteps.length + " steps");
      }
      Arrays.fill(t, timesteps[i]);
      graphs.denoise(sample, t, eps);
      requireFinite(eps, "eps of the denoiser graph at timestep ", timesteps[i]);
      scheduler.step(eps, timesteps[i], sample, noise, next, x0);
      if (i == 0) {
        for (int j = 0; j < m; j++) {   // combined over the rows as the final probability is
          probability(x0, j * copies * k * pixels, k, firstSteps.get(j), scratch);
        }
      }
      float[] swap = sample;
      sample = next;
      next = swap;
      if (keepTrajectory) {
        float[] frame = new float[pixels];
        probability(x0, 0, k, frame, scratch);
        trajectoryOut.add(frame);
      }
      request.progress().onStep(i + 1, timesteps.length, timesteps[i]);
    }
    requireFinite(sample, "the final sample", -1);
    for (int j = 0; j < m; j++) {
      probability(sample, j * copies * k * pixels, k, keptOut.get(j), scratch);
      AssessmentInputs judged = assessment.get(keptIndex.get(j));
      if (judged.mirrored() != null) {   // scratch holds the mirror's own probability: mirrored back for judging
        FlipAverage.mirror(scratch, 0, judged.mirrored(), 0, height, width);
      }
      float[] spread = judged.spread();
      if (spread != null) {   // the spread of the image's own K samples (not its mirror's)
        org.pgdiffseg.sdk.confidence.UncertaintyMap.spread(sample, j * copies * k * pixels, k,
            maskRange.background(), maskRange.lesion(), spread);
      }
    }
    denoiseNanos = System.nanoTime() - start;
    return decisions;
  }

  /** The probability of the image whose rows start at {@code offset}: its K samples' mean, flip-averaged if asked. */
  private void probability(float[] x0, int offset, int k, float[] out, float[] flipScratch) {
    if (flipScratch != null) {
      FlipAverage.probability(x0, offset, k, out, flipScratch, height, width, maskRange);
    } else {
      MaskPostprocessor.ensembleProbability(x0, offset, k, out, maskRange.background(), maskRange.lesion());
    }
  }

  /**
   * The kept images' mirrors through the prior, one row each, in a call of their own that leaves the denoiser's
   * binding alone: each mirror's coarse mask logits, mirrored back.
   */
  private List<float[]> mirroredCoarseMasks(List<float[]> kept, int[] coarseShape) throws InferenceException {
    int m = kept.size();
    int coarsePixels = coarseShape[0] * coarseShape[1];
    float[] mirrors = new float[m * pixels];
    for (int j = 0; j < m; j++) {
      FlipAverage.mirror(kept.get(j), 0, mirrors, j * pixels, height, width);
    }
    float[] mirrorLogits = new float[m * graphs.classCount()];
    float[] mirrorCoarse = new float[m * coarsePixels];
    graphs.priorOutputs(mirrors, m, mirrorLogits, mirrorCoarse);
    List<float[]> back = new ArrayList<>(m);
    for (int j = 0; j < m; j++) {
      back.add(new float[coarsePixels]);
      FlipAverage.mirror(mirrorCoarse, j * coarsePixels, back.get(j), 0, coarseShape[0], coarseShape[1]);
    }
    return back;
  }

  /** Each input followed by its horizontal mirror. */
  private List<float[]> withMirrors(List<float[]> inputs) {
    List<float[]> rows = new ArrayList<>(2 * inputs.size());
    for (float[] input : inputs) {
      rows.add(input);
      rows.add(FlipAverage.mirrored(input, height, width));
    }
    return rows;
  }

  /** Runs the prior on K copies of each input, one batch of N x K rows, and binds it for the denoiser. */
  private void condition(List<float[]> inputs, int k) throws InferenceException {
    int rows = inputs.size() * k;
    ensureBatch(rows);
    for (int i = 0; i < rows; i++) {
      System.arraycopy(inputs.get(i / k), 0, image, i * pixels, pixels);
    }
    graphs.conditionOn(image, rows, logits, coarse);
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
