package org.pgdiffseg.samples;

import java.nio.file.Path;
import org.pgdiffseg.sdk.pipeline.SegmentationResult;
import org.pgdiffseg.sdk.pipeline.Segmenter;
import org.pgdiffseg.sdk.schedule.SchedulerSpec;
import org.pgdiffseg.zoo.ModelZoo;

/** The README's Java example, runnable: {@code QuickstartExample MODEL IMAGE}. */
public final class QuickstartExample {
  private QuickstartExample() {}

  public static void main(String[] args) throws Exception {
    String model = args.length > 0 ? args[0] : "pgdiffseg-busi-128";
    Path scan = Path.of(args.length > 1 ? args[1] : "scan.png");
    // README example starts
    try (Segmenter segmenter = Segmenter.builder()
            .bundle(ModelZoo.resolve(model))                 // a verified local bundle
            .scheduler(SchedulerSpec.dpmSolverPlusPlus(2)).steps(20).ensemble(5).seed(42)
            .build()) {
      SegmentationResult r = segmenter.segment(scan);
      r.mask().writePng(Path.of("scan_mask.png"));         // 0/255 at the original size
      System.out.printf("P(tumor) = %.2f, gated: %s, lesion %.1f%% of the image%n",
          r.gate().probability("tumor"), r.gate().skipped(), 100 * r.mask().lesionFraction());
    }
    // README example ends
  }
}
