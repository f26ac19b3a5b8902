package org.pgdiffseg.benchmarks;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;
import org.pgdiffseg.sdk.bundle.ModelBundle;
import org.pgdiffseg.sdk.imaging.DecodedImage;
import org.pgdiffseg.sdk.imaging.ImageDecoder;
import org.pgdiffseg.sdk.metrics.ImageScale;
import org.pgdiffseg.sdk.pipeline.SegmentRequest;
import org.pgdiffseg.sdk.pipeline.SegmentationResult;
import org.pgdiffseg.sdk.pipeline.Segmenter;
import org.pgdiffseg.sdk.runtime.SessionConfig;

/**
 * What the lesion measurements a {@link SegmentationResult} carries cost beside the segmentation: for each of the
 * first n images of a folder (sorted by name), segmented at the bundle's defaults on the CPU, the wall time of
 * measuring its mask again ({@code ImageScale.of(image).measure(mask)}, the SDK's own call, best of 5) over the
 * image's total time. Prints one line per image ({@code name lesion_px measure_ms image_ms ratio}), then the
 * median and the largest ratio.
 *   java -cp CLASSPATH org.pgdiffseg.benchmarks.MeasurementCost BUNDLE IMAGES N
 */
public final class MeasurementCost {
  private MeasurementCost() {}

  public static void main(String[] args) throws Exception {
    ModelBundle bundle = ModelBundle.open(Path.of(args[0]));
    int n = Integer.parseInt(args[2]);
    List<Path> files;
    try (Stream<Path> listed = Files.list(Path.of(args[1]))) {
      files = listed.filter(Files::isRegularFile).sorted().limit(n).toList();
    }
    ImageDecoder decoder = new ImageDecoder();
    double[] ratios = new double[files.size()];
    try (Segmenter segmenter = Segmenter.builder().bundle(bundle).sessionConfig(SessionConfig.cpuOnly()).build()) {
      segmenter.segment(files.get(0));   // warm-up: the first call's one-off costs are not the image's
      for (int i = 0; i < files.size(); i++) {
        DecodedImage image = decoder.decode(files.get(i));
        SegmentationResult r = segmenter.segment(image, SegmentRequest.defaults());
        long best = Long.MAX_VALUE;
        for (int k = 0; k < 5; k++) {
          long start = System.nanoTime();
          ImageScale.of(image).measure(r.mask());
          best = Math.min(best, System.nanoTime() - start);
        }
        ratios[i] = (double) best / r.timings().totalNanos();
        System.out.printf(Locale.ROOT, "%s %d %.3f %.1f %.5f%n", files.get(i).getFileName(), r.mask().lesionPixels(),
            best / 1e6, r.timings().totalNanos() / 1e6, ratios[i]);
      }
    }
    double[] sorted = ratios.clone();
    Arrays.sort(sorted);
    System.out.printf(Locale.ROOT, "images %d, measurement / image time: median %.5f, largest %.5f%n", sorted.length,
        sorted[sorted.length / 2], sorted[sorted.length - 1]);
  }
}
