package org.pgdiffseg.samples;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.pgdiffseg.sdk.PgDiffSegException;
import org.pgdiffseg.sdk.imaging.DecodedImage;
import org.pgdiffseg.sdk.imaging.DicomReader;
import org.pgdiffseg.sdk.imaging.ImageDecoder;
import org.pgdiffseg.sdk.imaging.OverlayRenderer;
import org.pgdiffseg.sdk.pipeline.SegmentRequest;
import org.pgdiffseg.sdk.pipeline.SegmentationResult;
import org.pgdiffseg.sdk.pipeline.Segmenter;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code pgdiffseg segment}: masks, overlays and results.json for images and folders of images. */
@Command(name = "segment", mixinStandardHelpOptions = true,
    description = {"Segment breast lesions in images (PNG, JPEG, BMP, TIFF, DICOM; files or folders).",
        "Every frame of a multi-frame DICOM is segmented (<name>_f001_mask.png, ...).",
        "Writes <name>_mask.png (0/255, original size), <name>_overlay.png and results.json into --out.",
        "An image that cannot be read is listed in results.json under 'failures'; the others are still",
        "processed. Exit code 2 when any input failed, 0 otherwise."})
final class SegmentCommand implements Callable<Integer> {
  @Spec CommandSpec spec;
  @Mixin ModelOptions model;

  @Option(names = "--out", paramLabel = "DIR", defaultValue = "pgdiffseg-out", description = "Output folder (default: ${DEFAULT-VALUE}).")
  Path out;

  @Option(names = "--max-pixels", paramLabel = "N", description = "Refuse images with more pixels, from their header (default: 64000000).")
  Long maxPixels;

  @Parameters(paramLabel = "IMAGE", arity = "1..*", description = "Image files or folders.")
  List<Path> images;

  @Override
  public Integer call() throws Exception {
    var err = spec.commandLine().getErr();
    var stdout = spec.commandLine().getOut();
    List<Path> files = InputFiles.expand(images);
    Files.createDirectories(out);
    List<Map<String, Object>> results = new ArrayList<>();
    List<Map<String, Object>> failures = new ArrayList<>();
    Segmenter.Builder builder = model.builder();
    if (maxPixels != null) {
      builder.maxPixels(maxPixels);
    }
    long limit = maxPixels != null ? maxPixels : ImageDecoder.DEFAULT_MAX_PIXELS;
    ImageDecoder decoder = new ImageDecoder(limit);
    DicomReader dicom = new DicomReader(limit);
    try (Segmenter segmenter = builder.build()) {
      for (Path file : files) {
        try {
          List<DecodedImage> frames = InputFiles.decode(file, decoder, dicom);
          for (int f = 0; f < frames.size(); f++) {
            DecodedImage image = frames.get(f);
            SegmentationResult r = segmenter.segment(image, SegmentRequest.defaults());
            String stem = InputFiles.stem(file) + (frames.size() > 1 ? String.format("_f%03d", f + 1) : "");
            Path maskFile = out.resolve(stem + "_mask.png");
            Path overlayFile = out.resolve(stem + "_overlay.png");
            r.mask().writePng(maskFile);
            OverlayRenderer.defaults().writePng(overlayFile, image, r.mask());
            results.add(ResultJson.of(Path.of(image.name()), r, maskFile, overlayFile));
            stdout.printf("%s: %s, lesion %.2f%% of the image%s%n", image.name(),
                r.gate().skipped() ? "no tumor (gated)" : "segmented", 100 * r.mask().lesionFraction(),
                r.gate().skipped() ? "" : String.format(" (%.0f ms)", r.timings().totalNanos() / 1e6));
          }
        } catch (PgDiffSegException | java.io.IOException e) {
          err.println("pgdiffseg: " + e.getMessage());
          Map<String, Object> f = new LinkedHashMap<>();
          f.put("image", file.toString());
          f.put("error", e.getClass().getSimpleName());
          f.put("message", e.getMessage());
          failures.add(f);
        }
      }
      Map<String, Object> json = new LinkedHashMap<>();
      json.put("model", Map.of("id", segmenter.bundle().manifest().id(), "version", segmenter.bundle().manifest().version(),
          "device", segmenter.device().toString()));
      json.put("settings", ResultJson.settings(segmenter.options(), segmenter.gate()));
      json.put("results", results);
      json.put("failures", failures);
      new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(out.resolve("results.json").toFile(), json);
    }
    stdout.printf("%d segmented, %d failed; results in %s%n", results.size(), failures.size(), out.resolve("results.json"));
    return failures.isEmpty() ? PgDiffSegCli.OK : PgDiffSegCli.BAD_INPUT;
  }
}
