package org.pgdiffseg.samples;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.concurrent.Callable;
import org.pgdiffseg.sdk.imaging.DecodedImage;
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

  @Parameters(paramLabel = "IMAGE", description = "Image file.")
  Path image;

  @Override
  public Integer call() throws Exception {
    if (runs < 1 || warmup < 0) {
      throw new IllegalArgumentException("--runs must be >= 1 and --warmup >= 0");
    }
    model.noGating = true;   // time the diffusion loop, not the gate
    DecodedImage decoded = new ImageDecoder().decode(image);
    try (Segmenter segmenter = model.open()) {
      for (int i = 0; i < warmup; i++) {
        segmenter.segment(decoded, SegmentRequest.defaults());
      }
      double[][] stages = new double[4][runs];
      for (int i = 0; i < runs; i++) {
        SegmentationResult r = segmenter.segment(decoded, SegmentRequest.defaults());
        var t = r.timings();
        stages[0][i] = t.priorNanos() / 1e6;
        stages[1][i] = t.denoiseNanos() / 1e6;
        stages[2][i] = t.postprocessNanos() / 1e6;
        stages[3][i] = t.totalNanos() / 1e6;
      }
      var out = spec.commandLine().getOut();
      var o = segmenter.options();
      out.printf("%s, %s %d steps, ensemble %d, %s, %d runs%n", segmenter.bundle().manifest().id(), o.scheduler(),
          o.steps(), o.ensemble(), segmenter.device(), runs);
      String[] names = {"prior", "denoising loop", "postprocess", "total"};
      for (int s = 0; s < 4; s++) {
        double[] v = stages[s].clone();
        Arrays.sort(v);
        out.printf("  %-15s median %9.2f ms   min %9.2f   max %9.2f%n", names[s], v[v.length / 2], v[0], v[v.length - 1]);
      }
      double[] loop = stages[1].clone();
      Arrays.sort(loop);
      out.printf("  per denoiser step (K = %d batch): %.2f ms%n", o.ensemble(), loop[loop.length / 2] / o.steps());
    }
    return PgDiffSegCli.OK;
  }
}
