package org.pgdiffseg.samples;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import org.pgdiffseg.sdk.imaging.DecodedImage;
import org.pgdiffseg.sdk.imaging.ImageDecoder;
import org.pgdiffseg.sdk.metrics.MaskOverlap;
import org.pgdiffseg.sdk.pipeline.SegmentRequest;
import org.pgdiffseg.sdk.pipeline.SegmentationResult;
import org.pgdiffseg.sdk.pipeline.Segmenter;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code pgdiffseg eval}: per-image metrics against reference masks, and their means. */
@Command(name = "eval", mixinStandardHelpOptions = true,
    description = {"Segment every image of --images and compare with the mask of the same file name in --masks.",
        "Writes eval.csv (per image) and eval.json (means overall and per class, gating confusion) into --out",
        "and prints the means. The class is the file name up to its first '_' (e.g. benign_007.png).",
        "An empty prediction on an empty mask scores 1; HD95 is averaged over images where both are non-empty."})
final class EvalCommand implements Callable<Integer> {
  @Spec CommandSpec spec;
  @Mixin ModelOptions model;

  @Option(names = "--images", required = true, paramLabel = "DIR", description = "Folder of images.")
  Path images;

  @Option(names = "--masks", required = true, paramLabel = "DIR", description = "Folder of 0/255 masks named as the images.")
  Path masks;

  @Option(names = "--out", paramLabel = "DIR", defaultValue = "pgdiffseg-eval", description = "Output folder (default: ${DEFAULT-VALUE}).")
  Path out;

  @Option(names = "--limit", paramLabel = "N", description = "Evaluate the first N images only.")
  Integer limit;

  record Row(String id, String cls, boolean tumor, MaskOverlap overlap, boolean gated, double pNoTumor) {}

  @Override
  public Integer call() throws Exception {
    PrintWriter stdout = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    if (!Files.isDirectory(images) || !Files.isDirectory(masks)) {
      throw new IllegalArgumentException("--images and --masks must be folders: " + images + ", " + masks);
    }
    List<Path> files = InputFiles.expand(List.of(images));
    if (files.isEmpty()) {
      err.println("pgdiffseg: no images found in " + images + " (files by extension: " + InputFiles.EXTENSIONS
          + ", or DICOM by content)");
      return PgDiffSegCli.BAD_INPUT;
    }
    if (limit != null) {
      files = files.subList(0, Math.min(limit, files.size()));
    }
    OutputFolder.prepare(spec, out);
    model.checkRanges();
    List<Row> rows = new ArrayList<>();
    List<String> failures = new ArrayList<>();
    ImageDecoder decoder = new ImageDecoder();
    try (Segmenter segmenter = model.open(); Progress progress = Progress.start("eval", files.size(), stdout)) {
      String skipClass = segmenter.gate().classes().get(segmenter.gate().skipClass());
      for (Path file : files) {
        progress.begin(file.getFileName().toString());
        try {
          Path maskFile = masks.resolve(file.getFileName());
          DecodedImage truth = decoder.decode(maskFile);
          SegmentationResult r = segmenter.segment(file, SegmentRequest.defaults().withProgress(progress.steps()));
          MaskOverlap overlap = MaskOverlap.of(r.mask(), truth);
          String id = InputFiles.stem(file);
          String cls = id.contains("_") ? id.substring(0, id.indexOf('_')) : "all";
          rows.add(new Row(id, cls, overlap.truePositive() + overlap.falseNegative() > 0, overlap,
              r.gate().skipped(), r.gate().probability(skipClass)));
        } catch (Exception | OutOfMemoryError e) {
          String message = BatchFailure.message(e);   // one bad input never ends the evaluation
          progress.println(err, "pgdiffseg: " + message);
          failures.add(file + ": " + message);
        }
        progress.done(file.getFileName().toString());
      }
      Map<String, Object> summary = summary(rows, failures, segmenter);
      writeCsv(rows);
      new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(out.resolve("eval.json").toFile(), summary);
      @SuppressWarnings("unchecked")
      Map<String, Object> all = (Map<String, Object>) summary.get("mean");
      progress.println(stdout, String.format(
          "images %d  Dice %.4f  IoU %.4f  HD95 %.2f  sensitivity %.4f  specificity %.4f  (failed %d)",
          rows.size(), all.get("dice"), all.get("iou"), all.get("hd95"), all.get("sensitivity"), all.get("specificity"),
          failures.size()));
      stdout.println("Per image: " + out.resolve("eval.csv") + ", summary: " + out.resolve("eval.json"));
    }
    return failures.isEmpty() ? PgDiffSegCli.OK : PgDiffSegCli.BAD_INPUT;
  }

  static Map<String, Object> means(List<Row> rows) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("images", rows.size());
    m.put("dice", rows.stream().mapToDouble(r -> r.overlap().dice()).average().orElse(Double.NaN));
    m.put("iou", rows.stream().mapToDouble(r -> r.overlap().iou()).average().orElse(Double.NaN));
    m.put("hd95", rows.stream().mapToDouble(r -> r.overlap().hd95()).filter(d -> !Double.isNaN(d)).average().orElse(Double.NaN));
    m.put("sensitivity", rows.stream().mapToDouble(r -> r.overlap().sensitivity()).average().orElse(Double.NaN));
    m.put("specificity", rows.stream().mapToDouble(r -> r.overlap().specificity()).average().orElse(Double.NaN));
    return m;
  }

  private Map<String, Object> summary(List<Row> rows, List<String> failures, Segmenter segmenter) {
    Map<String, Object> s = new LinkedHashMap<>();
    s.put("model", segmenter.bundle().manifest().id() + " " + segmenter.bundle().manifest().version());
    s.put("settings", ResultJson.settings(segmenter.options(), segmenter.gate()));
    s.put("mean", means(rows));
    s.put("mean_tumor_images", means(rows.stream().filter(Row::tumor).toList()));
    Map<String, List<Row>> byClass = new TreeMap<>();
    rows.forEach(r -> byClass.computeIfAbsent(r.cls(), k -> new ArrayList<>()).add(r));
    Map<String, Object> perClass = new LinkedHashMap<>();
    byClass.forEach((k, v) -> perClass.put(k, means(v)));
    s.put("per_class", perClass);
    Map<String, Long> confusion = new LinkedHashMap<>();
    confusion.put("tumor_gated", rows.stream().filter(r -> r.tumor() && r.gated()).count());
    confusion.put("tumor_segmented", rows.stream().filter(r -> r.tumor() && !r.gated()).count());
    confusion.put("no_tumor_gated", rows.stream().filter(r -> !r.tumor() && r.gated()).count());
    confusion.put("no_tumor_segmented", rows.stream().filter(r -> !r.tumor() && !r.gated()).count());
    s.put("gating_confusion", confusion);
    s.put("gate_accuracy", rows.isEmpty() ? Double.NaN
        : (double) rows.stream().filter(r -> r.tumor() != r.gated()).count() / rows.size());
    s.put("failures", failures);
    return s;
  }

  private void writeCsv(List<Row> rows) throws java.io.IOException {
    StringBuilder csv = new StringBuilder("id,class,tumor,dice,iou,hd95,sensitivity,specificity,gated,p_no_tumor\n");
    for (Row r : rows) {
      MaskOverlap o = r.overlap();
      csv.append(String.format("%s,%s,%s,%.6f,%.6f,%s,%.6f,%.6f,%s,%.6f%n", r.id(), r.cls(), r.tumor(), o.dice(), o.iou(),
          Double.isNaN(o.hd95()) ? "" : String.format("%.4f", o.hd95()), o.sensitivity(), o.specificity(), r.gated(),
          r.pNoTumor()));
    }
    Files.writeString(out.resolve("eval.csv"), csv);
  }
}
