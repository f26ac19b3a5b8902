package org.pgdiffseg.samples;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import org.pgdiffseg.sdk.BundleException;
import org.pgdiffseg.sdk.confidence.Confidence;
import org.pgdiffseg.sdk.confidence.ConfidenceMetrics;
import org.pgdiffseg.sdk.imaging.BinaryMask;
import org.pgdiffseg.sdk.imaging.DecodedImage;
import org.pgdiffseg.sdk.imaging.ImageDecoder;
import org.pgdiffseg.sdk.metrics.LesionMeasurements;
import org.pgdiffseg.sdk.metrics.MaskOverlap;
import org.pgdiffseg.sdk.pipeline.SegmentRequest;
import org.pgdiffseg.sdk.pipeline.SegmentationResult;
import org.pgdiffseg.sdk.pipeline.Segmenter;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code pgdiffseg eval}: per-image metrics against reference masks, and their means. */
@Command(name = "eval", mixinStandardHelpOptions = true,
    description = {"Segment every image of --images and compare with the mask of the same file name in --masks.",
        "Writes eval.csv (per image) and eval.json (means overall and per class, gating confusion) into --out",
        "and prints the means. The class is the file name up to its first '_' (e.g. benign_007.png).",
        "An empty prediction on an empty mask scores 1; HD95 is averaged over images where both are non-empty.",
        "Masks must be binary (0/255 or 0/1) and of their image's size; a missing or non-binary mask is listed",
        "as a failure and its image left out of the means (exit code 2)."})
final class EvalCommand implements Callable<Integer> {
  @Spec CommandSpec spec;
  @Mixin ModelOptions model;

  @Option(names = "--images", required = true, paramLabel = "DIR", description = "Folder of images.")
  Path images;

  @Option(names = "--masks", required = true, paramLabel = "DIR", description = "Folder of 0/255 masks named as the images.")
  Path masks;

  @Option(names = "--out", paramLabel = "DIR", defaultValue = "pgdiffseg-eval", description = "Output folder (default: ${DEFAULT-VALUE}).")
  Path out;

  @Option(names = "--limit", paramLabel = "N", description = "Evaluate the first N images only (N >= 1).")
  Integer limit;

  static final String CSV_FILE = "eval.csv";
  static final String JSON_FILE = "eval.json";

  /** One image: its overlap with the label, the gate, and the largest lesion's calipers, predicted and labelled. */
  record Row(String id, String cls, boolean tumor, MaskOverlap overlap, boolean gated, double pNoTumor,
      LesionMeasurements predicted, LesionMeasurements label, Confidence confidence) {}

  @Override
  public Integer call() throws Exception {
    PrintWriter stdout = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    if (!Files.isDirectory(images) || !Files.isDirectory(masks)) {
      throw new ParameterException(spec.commandLine(), "--images and --masks must be folders: " + images + ", "
          + masks);
    }
    if (limit != null && limit < 1) {
      throw new ParameterException(spec.commandLine(), "--limit must be at least 1, got " + limit);
    }
    if (Files.isSameFile(images, masks)) {
      throw new ParameterException(spec.commandLine(), "--images and --masks are the same folder (" + images
          + "); the masks would be scored against themselves");
    }
    InputFiles.Expansion listed = InputFiles.expand(List.of(images), null);
    if (!listed.unlisted().isEmpty()) {
      throw new ParameterException(spec.commandLine(), listed.unlisted().get(0).message());
    }
    List<Path> files = listed.files();
    if (files.isEmpty()) {
      err.println("pgdiffseg: no images found in " + images + " (files by extension: " + InputFiles.EXTENSIONS
          + ", or DICOM by content)");
      return PgDiffSegCli.BAD_INPUT;
    }
    if (limit != null) {
      files = files.subList(0, Math.min(limit, files.size()));
    }
    model.checkRanges();
    List<Row> rows = new ArrayList<>();
    List<String> failures = new ArrayList<>();
    ImageDecoder decoder = new ImageDecoder();
    try (OutputFolder folder = OutputFolder.claim(spec, "--out", out); Segmenter segmenter = model.open();
        Progress progress = Progress.start("eval", files.size(), stdout)) {
      for (String name : List.of(CSV_FILE, JSON_FILE)) {
        if (!folder.mayWrite(name)) {
          throw new ParameterException(spec.commandLine(), "--out " + out + " holds a " + name
              + " that pgdiffseg did not write; it is left as it is: choose another --out");
        }
      }
      String skipClass = segmenter.gate().classes().get(segmenter.gate().skipClass());
      for (Path file : files) {
        progress.begin(file.getFileName().toString());
        try {
          Path maskFile = masks.resolve(file.getFileName());
          DecodedImage image = decoder.decode(file);
          BinaryMask truth = ReferenceMask.read(decoder, maskFile, image.width(), image.height());
          SegmentationResult r = segmenter.segment(image, SegmentRequest.defaults().withProgress(progress.steps()));
          MaskOverlap overlap = MaskOverlap.of(r.mask(), truth);
          LesionMeasurements predictedSize = r.measurements().value();   // its pixel figures, as the label's
          LesionMeasurements labelSize = LesionMeasurements.of(truth, null);
          String id = InputFiles.stem(file);
          String cls = id.contains("_") ? id.substring(0, id.indexOf('_')) : "all";
          rows.add(new Row(id, cls, overlap.truePositive() + overlap.falseNegative() > 0, overlap,
              r.gate().skipped(), r.gate().probability(skipClass), predictedSize, labelSize, r.confidence()));
        } catch (Exception | OutOfMemoryError e) {
          String message = BatchFailure.message(e);   // one bad input never ends the evaluation
          progress.println(err, "pgdiffseg: " + message);
          failures.add(file + ": " + message);
        }
        progress.done(file.getFileName().toString());
      }
      Map<String, Object> summary = summary(rows, failures, segmenter);
      byte[] json = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsBytes(summary);
      byte[] csv = csv(rows).getBytes(StandardCharsets.UTF_8);
      folder.writeAll(Map.of(CSV_FILE, tmp -> Files.write(tmp, csv), JSON_FILE, tmp -> Files.write(tmp, json)));
      @SuppressWarnings("unchecked")
      Map<String, Object> all = (Map<String, Object>) summary.get("mean");
      progress.println(stdout, String.format(
          "images %d  Dice %.4f  IoU %.4f  HD95 %.2f  sensitivity %.4f  specificity %.4f  (failed %d)",
          rows.size(), all.get("dice"), all.get("iou"), all.get("hd95"), all.get("sensitivity"), all.get("specificity"),
          failures.size()));
      if (summary.get("confidence") instanceof Map<?, ?> c) {
        progress.println(stdout, confidenceLine(c));
      }
      stdout.println("Per image: " + out.resolve(CSV_FILE) + ", summary: " + out.resolve(JSON_FILE));
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

  private Map<String, Object> summary(List<Row> rows, List<String> failures, Segmenter segmenter)
      throws BundleException {
    Map<String, Object> s = new LinkedHashMap<>();
    s.putAll(RecordedRun.json(segmenter, model.source()));
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
    if (!rows.isEmpty() && rows.stream().allMatch(r -> r.confidence() != null)) {
      s.put("confidence", confidenceSummary(rows.stream().filter(Row::tumor).toList(),
          segmenter.bundle().manifest().confidence().reviewThreshold()));
    }
    s.put("failures", failures);
    return s;
  }

  /**
   * How well the confidence ranks the tumor images' masks (docs/confidence.md): Spearman with Dice, AUROC of a low
   * confidence for Dice {@literal <} 0.5, the risk-coverage table and the images flagged for review.
   */
  static Map<String, Object> confidenceSummary(List<Row> tumor, double reviewThreshold) {
    double[] scores = tumor.stream().mapToDouble(r -> r.confidence().value()).toArray();
    double[] dice = tumor.stream().mapToDouble(r -> r.overlap().dice()).toArray();
    boolean[] bad = new boolean[dice.length];
    for (int i = 0; i < dice.length; i++) {
      bad[i] = dice[i] < 0.5;
    }
    Map<String, Object> c = new LinkedHashMap<>();
    c.put("tumor_images", tumor.size());
    c.put("dice_below_0_5", (int) Arrays.stream(dice).filter(d -> d < 0.5).count());
    c.put("spearman_dice", ConfidenceMetrics.spearman(scores, dice));
    c.put("auroc_dice_below_0_5", ConfidenceMetrics.auroc(scores, bad));
    c.put("risk_coverage", tumor.isEmpty() ? Map.of() : ConfidenceMetrics.riskCoverage(scores, dice));
    c.put("review_threshold", reviewThreshold);
    c.put("review_flagged", tumor.stream().filter(r -> r.confidence().review()).count());
    c.put("review_flagged_dice_below_0_5", tumor.stream().filter(r -> r.confidence().review()
        && r.overlap().dice() < 0.5).count());
    return c;
  }

  static String confidenceLine(Map<?, ?> c) {
    StringBuilder line = new StringBuilder(String.format(Locale.ROOT,
        "confidence (tumor images): Spearman with Dice %.3f  AUROC for Dice < 0.5 %.3f  review %d (%d with Dice < 0.5)"
            + "%n  mean Dice of the most confident:", c.get("spearman_dice"), c.get("auroc_dice_below_0_5"),
        c.get("review_flagged"), c.get("review_flagged_dice_below_0_5")));
    ((Map<?, ?>) c.get("risk_coverage")).forEach((k, v) -> line.append(String.format(Locale.ROOT, "  %.0f%% %.4f",
        100 * Double.parseDouble(k.toString()), (Double) v)));
    return line.toString();
  }

  static String csv(List<Row> rows) throws IOException {
    List<List<Object>> lines = new ArrayList<>();
    for (Row r : rows) {
      MaskOverlap o = r.overlap();
      lines.add(Arrays.asList(r.id(), r.cls(), r.tumor(), o.dice(), o.iou(), o.hd95(), o.sensitivity(),
          o.specificity(), r.gated(), r.pNoTumor(), longest(r.predicted()), perpendicular(r.predicted()),
          longest(r.label()), perpendicular(r.label()),
          r.confidence() == null ? Double.NaN : r.confidence().value()));   // empty without a confidence model
    }
    return SpreadsheetCsv.write(List.of("id", "class", "tumor", "dice", "iou", "hd95", "sensitivity", "specificity",
        "gated", "p_no_tumor", "longest_px", "perpendicular_px", "label_longest_px", "label_perpendicular_px",
        "confidence"), lines);
  }

  /** The largest lesion's longest diameter in pixels; NaN (an empty cell) without a lesion. */
  private static double longest(LesionMeasurements m) {
    return m.largest().map(l -> l.longest().lengthPixels()).orElse(Double.NaN);
  }

  private static double perpendicular(LesionMeasurements m) {
    return m.largest().map(l -> l.perpendicular().lengthPixels()).orElse(Double.NaN);
  }
}
