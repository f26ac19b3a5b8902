package com.example.scan;

import java.nio.file.Path;
import org.pgdiffseg.sdk.pipeline.SegmentationResult;
import org.pgdiffseg.sdk.pipeline.Segmenter;
import org.pgdiffseg.zoo.ModelZoo;

/** Segments one ultrasound image: {@code SegmentScan IMAGE [MODEL]}; writes IMAGE's mask into the working directory. */
public final class SegmentScan {
  public static void main(String[] args) throws Exception {
    Path scan = Path.of(args[0]);
    String model = args.length > 1 ? args[1] : "pgdiffseg-busi-128";   // a zoo id, or a bundle folder
    Path mask = Path.of(scan.getFileName().toString().replaceFirst("\\.[^.]+$", "") + "_mask.png");
    try (Segmenter segmenter = Segmenter.builder()
            .bundle(ModelZoo.resolve(model))                              // a verified local bundle
            .build()) {                                                   // sampling: the bundle's defaults
      SegmentationResult r = segmenter.segment(scan);
      r.mask().writePng(mask);                                         // 0/255 at the original size
      System.out.printf("P(tumor) = %.2f, gated: %s, lesion %.1f%% of the image; mask: %s%n",
          r.gate().probability("tumor"), r.gate().skipped(), 100 * r.mask().lesionFraction(), mask);
    }
  }
}
