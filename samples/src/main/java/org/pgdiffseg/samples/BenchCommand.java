package org.pgdiffseg.samples;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.concurrent.Callable;
import org.pgdiffseg.sdk.bundle.BundleManifest;
import org.pgdiffseg.sdk.imaging.DecodedImage;
import org.pgdiffseg.sdk.runtime.DiffusionGraphs;
import org.pgdiffseg.sdk.runtime.OrtRuntime;
import org.pgdiffseg.sdk.runtime.ResidentMemory;
import org.pgdiffseg.sdk.imaging.ImageDecoder;
import org.pgdiffseg.sdk.pipeline.SegmentRequest;
import org.pgdiffseg.sdk.pipeline.SegmentationResult;
import org.pgdiffseg.sdk.pipeline.Segmenter;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code pgdiffseg bench}: end-to-end segmentation time of one image, per stage, after warm-up. */
@Command(name = "bench", mixinStandardHelpOptions = true,
    description = {"Time end-to-end segmentation of one image: --warmup runs, then --runs timed runs.",
        "Prints the median and spread of each stage (prior, denoising loop, postprocessing, total)."})
final class BenchCommand implements Callable<Integer> {
  @Spec CommandSpec spec;
  @Mixin ModelOptions model;

  @Option(names = "--runs", paramLabel = "N", defaultValue = "10", description = "Timed runs (default: ${DEFAULT-VALUE}).")
  int runs;

  @Option(names = "--warmup", paramLabel = "N", defaultValue = "2", description = "Untimed runs first (default: ${DEFAULT-VALUE}).")
  int warmup;

  @Option(names = "--rss-every", paramLabel = "N", defaultValue = "0",
      description = "Print the process's resident memory every N runs, a soak test (default: off).")
  int rssEvery;

  @Option(names = "--with-gate", description = "Keep the gate on, to time images it skips (default: off, the diffusion loop is timed).")
  boolean withGate;

  @Parameters(paramLabel = "IMAGE", description = "Image file.")
  Path image;

  static double sortedMedian(double[] values) {
    double[] v = values.clone();
    Arrays.sort(v);
    return v[v.length / 2];
  }

  /** The graph calls of one segmentation alone, through the same bindings, without the SDK around them. */
  private double rawGraphMillis(Segmenter segmenter, int steps, int ensemble) throws Exception {
    var bundle = segmenter.bundle();
    try (DiffusionGraphs graphs = DiffusionGraphs.open(OrtRuntime.shared(),
        bundle.graphPath(BundleManifest.PRIOR), bundle.graphPath(BundleManifest.DENOISER), model.sessionConfig())) {
      int[] hw = graphs.imageShape();
      int n = ensemble * hw[0] * hw[1];
      float[] image = new float[n];
      float[] xt = new float[n];
      float[] eps = new float[n];
      float[] t = new float[ensemble];
      float[] logits = new float[ensemble * graphs.classCount()];
      int[] coarse = graphs.coarseMaskShape();
      float[] coarseOut = new float[ensemble * coarse[0] * coarse[1]];
      double[] times = new double[runs];
      for (int r = -warmup; r < times.length; r++) {
        long start = System.nanoTime();
        graphs.conditionOn(image, ensemble, logits, coarseOut);
        for (int s = 0; s < steps; s++) {
          java.util.Arrays.fill(t, 999 - s);
          graphs.denoise(xt, t, eps);
        }
        if (r >= 0) {
          times[r] = (System.nanoTime() - start) / 1e6;
        }
      }
      return sortedMedian(times);
    }
  }

  /** VmRSS of this process in KiB; -1 where the system does not report it. */
  static long residentKiB() {
    return ResidentMemory.kib().orElse(-1);
  }

  @Override
  public Integer call() throws Exception {
    if (runs < 1 || warmup < 0) {
      throw new IllegalArgumentException("--runs must be >= 1 and --warmup >= 0");
    }
    model.noGating = !withGate;   // by default time the diffusion loop, not the gate
    DecodedImage decoded = new ImageDecoder().decode(image);
    try (Segmenter segmenter = model.open()) {
      for (int i = 0; i < warmup; i++) {
        segmenter.segment(decoded, SegmentRequest.defaults());
      }
      double[][] stages = new double[5][runs];
      int skipped = 0;
      long rssStart = residentKiB();
      long rssSettled = rssStart;
      for (int i = 0; i < runs; i++) {
        if (rssEvery > 0 && i % rssEvery == 0) {
          spec.commandLine().getOut().printf("run %d: resident %d MiB%n", i, residentKiB() / 1024);
        }
        if (i == runs / 10) {
          rssSettled = residentKiB();   // arenas and JIT have grown to their working size by now
        }
        SegmentationResult r = segmenter.segment(decoded, SegmentRequest.defaults());
        skipped += r.gate().skipped() ? 1 : 0;
        var t = r.timings();
        stages[0][i] = t.priorNanos() / 1e6;
        stages[1][i] = t.denoiseNanos() / 1e6;
        stages[2][i] = t.postprocessNanos() / 1e6;
        stages[3][i] = t.assessNanos() / 1e6;
        stages[4][i] = t.totalNanos() / 1e6;
      }
      var out = spec.commandLine().getOut();
      var o = segmenter.options();
      out.printf("%s, %s %d steps, ensemble %d%s, %s, %d runs%n", segmenter.bundle().manifest().id(), o.scheduler(),
          o.steps(), o.ensemble(), o.flipAverage() ? ", flip-averaged" : "", segmenter.device(), runs);
      if (withGate) {
        out.printf("  the gate skipped diffusion in %d of %d runs%n", skipped, runs);
      }
      String[] names = {"prior", "denoising loop", "postprocess", "confidence", "total"};
      for (int s = 0; s < names.length; s++) {
        double[] v = stages[s].clone();
        Arrays.sort(v);
        out.printf("  %-15s median %9.2f ms   min %9.2f   max %9.2f%n", names[s], v[v.length / 2], v[0], v[v.length - 1]);
      }
      long rssEnd = residentKiB();   // before the raw-graph sessions below add their own memory
      if (skipped == runs) {
        // no denoiser step ran: a per-step time or a ratio to a prior + N steps would be made up
        out.printf("  per denoiser step: none ran (the gate skipped diffusion in every run); raw graph time not"
            + " compared%n");
      } else {
        double[] loop = Arrays.stream(stages[1]).filter(v -> v > 0).sorted().toArray();
        int rows = o.ensemble() * (o.flipAverage() ? 2 : 1);   // flip averaging adds the mirror's K rows
        out.printf("  per denoiser step (K = %d%s batch, runs that were not gated): %.2f ms%n", o.ensemble(),
            o.flipAverage() ? " x 2 flipped" : "", loop[loop.length / 2] / o.steps());
        double raw = rawGraphMillis(segmenter, o.steps(), rows);
        // the confidence's own graph call (the mirror's prior) is not among the raw calls: left out of the ratio
        double[] withoutConfidence = new double[runs];
        for (int i = 0; i < runs; i++) {
          withoutConfidence[i] = stages[4][i] - stages[3][i];
        }
        out.printf("  raw graph time of the same calls (prior + %d denoiser steps): median %.2f ms; SDK total"
            + " without the confidence / raw = %.3f%s%n", o.steps(), raw, sortedMedian(withoutConfidence) / raw,
            skipped > 0 ? " (gated runs included in the total)" : "");
      }
      out.printf("  resident memory after warm-up %d MiB, after %d runs %d MiB, after %d runs %d MiB (%+.1f%% since run %d)%n",
          rssStart / 1024, runs / 10, rssSettled / 1024, runs, rssEnd / 1024, 100.0 * (rssEnd - rssSettled) / rssSettled,
          runs / 10);
    }
    return PgDiffSegCli.OK;
  }
}
