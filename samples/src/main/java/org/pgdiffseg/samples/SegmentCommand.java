package org.pgdiffseg.samples;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.pgdiffseg.sdk.BundleException;
import org.pgdiffseg.sdk.confidence.UncertaintyMap;
import org.pgdiffseg.sdk.dicom.DicomSegWriter;
import org.pgdiffseg.sdk.dicom.SegmentAlgorithm;
import org.pgdiffseg.sdk.imaging.BinaryMask;
import org.pgdiffseg.sdk.imaging.DecodedImage;
import org.pgdiffseg.sdk.imaging.ImageDecoder;
import org.pgdiffseg.sdk.imaging.ImageFiles;
import org.pgdiffseg.sdk.imaging.ImageWriter;
import org.pgdiffseg.sdk.imaging.OverlayRenderer;
import org.pgdiffseg.sdk.metrics.ImageScale;
import org.pgdiffseg.sdk.metrics.LesionMeasurements;
import org.pgdiffseg.sdk.pipeline.SegmentRequest;
import org.pgdiffseg.sdk.pipeline.SegmentationResult;
import org.pgdiffseg.sdk.pipeline.Segmenter;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code pgdiffseg segment}: masks, overlays and results.json for images and folders of images. */
@Command(name = "segment", mixinStandardHelpOptions = true,
    description = {"Segment breast lesions in images (PNG, JPEG, BMP, TIFF, DICOM; files or folders).",
        "Every frame of a multi-frame DICOM is segmented (<name>_f001_mask.png, ...).",
        "Writes <name>_mask.png (0/255, original size), <name>_overlay.png and results.json into --out.",
        "A folder gives its images (by extension, or DICOM by content), not hidden files; its sub-folders with",
        "--recursive.", "",
        "Output names are unique within a run: an input whose name would clash gets its extension or a",
        "counter added (y_jpg_mask.png); results.json says which input each output belongs to.",
        "A file in --out that pgdiffseg did not write is never overwritten: the output takes another name.",
        "One run at a time holds --out; a second is refused. Each file is written whole (temporary file,",
        "then renamed).", "",
        "results.json records the run completely (model and its sha256, the sampler's full config, seed,",
        "thresholds, gate, SDK version, device): --settings-from results.json replays it. It is kept current",
        "while the batch runs and says 'complete', 'interrupted' or 'stopped' (the disk filled up) at the end.", "",
        "For a DICOM input, <name>_seg.dcm holds all its frames' masks as one DICOM Segmentation in the",
        "source's study (docs/dicom-out.md); --no-seg leaves it out.", "",
        "An image that cannot be read is listed in results.json under 'failures'; the others are still",
        "processed. Exit code 2 when any input failed or nothing was found, 1 when outputs could not be",
        "written, 0 otherwise."})
final class SegmentCommand implements Callable<Integer> {
  static final String SEG_SUFFIX = "_seg.dcm";
  static final String UNCERTAINTY_SUFFIX = "_uncertainty.png";
  @Spec CommandSpec spec;
  @Mixin ModelOptions model;

  @Option(names = "--out", paramLabel = "DIR", defaultValue = "pgdiffseg-out", description = "Output folder (default: ${DEFAULT-VALUE}).")
  Path out;

  @Option(names = "--max-pixels", paramLabel = "N", description = "Refuse images with more pixels, from their header (default: 64000000).")
  Long maxPixels;

  @Option(names = "--batch", paramLabel = "N", defaultValue = "1",
      description = "Images segmented together, one graph call per step for all (default: ${DEFAULT-VALUE}; results do not change).")
  int batch;

  @Option(names = {"-r", "--recursive"},
      description = "Also take the images in the sub-folders of a folder (not hidden ones, not through links).")
  boolean recursive;

  @Option(names = "--no-seg", description = "Do not write <name>_seg.dcm (a DICOM Segmentation) for DICOM inputs.")
  boolean noSeg;

  @Option(names = "--uncertainty", description = {"Also write <name>_uncertainty.png (per pixel, how much the",
      "mask's sources disagree, 0..255 for 0..1) and outline the uncertain region on the overlay (dashed cyan)."})
  boolean uncertainty;

  @Parameters(paramLabel = "IMAGE", arity = "1..*", description = "Image files or folders.")
  List<Path> images;

  /**
   * A decoded image waiting for its batch: where it came from, the suffix of its output names, and for a frame
   * of a DICOM whose SEG is written, that SEG's frames ({@code seg}, null otherwise) and its index among them.
   */
  private record Pending(Path file, String frameSuffix, DecodedImage image, DicomSegOutput seg, int frame) {}

  @Override
  public Integer call() throws Exception {
    PrintWriter err = spec.commandLine().getErr();
    PrintWriter stdout = spec.commandLine().getOut();
    if (batch < 1 || batch > 64) {
      throw new ParameterException(spec.commandLine(), "--batch must be in 1..64, got " + batch);
    }
    try (OutputFolder folder = OutputFolder.claim(spec, "--out", out)) {
      if (!folder.mayWrite(ResultsFile.NAME)) {
        throw new ParameterException(spec.commandLine(), "--out " + out + " holds a " + ResultsFile.NAME
            + " that pgdiffseg did not write; it is left as it is: choose another --out");
      }
      InputFiles.Expansion inputs = InputFiles.expand(images, folder, recursive);
      inputs.skipped().forEach(s -> err.println("pgdiffseg: skipped " + s));
      if (inputs.files().isEmpty() && inputs.unlisted().isEmpty()) {
        err.println("pgdiffseg: no images found in " + images + " (files by extension: " + InputFiles.EXTENSIONS
            + ", or DICOM by content)");
        return PgDiffSegCli.BAD_INPUT;
      }
      return run(inputs, folder, stdout, err);
    }
  }

  private int run(InputFiles.Expansion inputs, OutputFolder folder, PrintWriter stdout, PrintWriter err)
      throws Exception {
    Segmenter.Builder builder = model.builder();
    if (maxPixels != null) {
      builder.maxPixels(maxPixels);
    }
    ImageDecoder decoder = new ImageDecoder(maxPixels != null ? maxPixels : ImageDecoder.DEFAULT_MAX_PIXELS);
    Batch b = new Batch(folder, new OutputNames(), stdout, err);
    b.uncertainty = uncertainty;
    try (Segmenter segmenter = builder.build(); ResultsFile results = new ResultsFile(folder, header(segmenter));
        Progress progress = Progress.start("segment", inputs.files().size(), err)) {
      b.results = results;
      b.progress = progress;
      if (!noSeg) {
        var manifest = segmenter.bundle().manifest();
        b.segWriter = new DicomSegWriter(new SegmentAlgorithm(manifest.id(), manifest.version()));
      }
      try {
        for (InputFiles.Unlisted u : inputs.unlisted()) {
          b.fail(u.folder(), u.cause(), u.message());
        }
        List<Pending> pending = new ArrayList<>();
        for (Path file : inputs.files()) {
          progress.begin(file.getFileName().toString());
          try {
            byte[] data = ImageFiles.read(file, decoder.maxPixels());
            List<DecodedImage> frames = decoder.decodeFrames(data, file.toString());
            ImageScale scale = ImageScale.of(frames.get(0));   // the DICOM attributes the decoder read with the file
            DicomSegOutput seg = b.segWriter != null && scale.dicom()
                ? new DicomSegOutput(file, scale.attributes(), scale.error(), frames.size()) : null;
            for (int f = 0; f < frames.size(); f++) {
              pending.add(new Pending(file, frames.size() > 1 ? String.format("_f%03d", f + 1) : "", frames.get(f),
                  seg, f));
            }
          } catch (Exception | OutOfMemoryError e) {
            b.fail(file, e, BatchFailure.message(e));
          }
          if (pending.size() >= batch) {
            segment(pending, segmenter, b);
          }
          progress.done(null);   // the lines of segment() or fail() said how it went
        }
        segment(pending, segmenter, b);
      } catch (OutputFolder.WriteFailedException e) {
        return stopped(e, results, progress, err);
      }
      progress.println(stdout, String.format("%d segmented, %d failed; results in %s", results.resultCount(),
          results.failureCount(), folder.resolve(ResultsFile.NAME)));
      return results.failureCount() == 0 ? PgDiffSegCli.OK : PgDiffSegCli.BAD_INPUT;
    }
  }

  /**
   * The output folder cannot be written (a full disk): the batch ends with one line, and results.json lists
   * every image whose outputs landed, if it can still be written.
   */
  private static int stopped(OutputFolder.WriteFailedException e, ResultsFile results, Progress progress,
      PrintWriter err) {
    String recorded;
    try {
      results.finish("stopped", e.getMessage());
      recorded = "; results.json lists the " + results.resultCount() + " images segmented before";
    } catch (IOException again) {
      recorded = "; results.json could not be updated either (it lists the images recorded before the failure)";
    }
    progress.println(err, "pgdiffseg: stopped: " + e.getMessage() + recorded);
    return PgDiffSegCli.FAILED_CHECK;
  }

  /** What the batch writes into and reports to, passed around together. */
  private static final class Batch {
    final OutputFolder folder;
    final OutputNames names;
    final PrintWriter stdout;
    final PrintWriter err;
    ResultsFile results;
    Progress progress;
    /** Writes the SEG of each DICOM input; null with --no-seg. */
    DicomSegWriter segWriter;
    /** --uncertainty: each image's uncertainty map is written and outlined. */
    boolean uncertainty;

    Batch(OutputFolder folder, OutputNames names, PrintWriter stdout, PrintWriter err) {
      this.folder = folder;
      this.names = names;
      this.stdout = stdout;
      this.err = err;
    }

    /**
     * One input never ends the batch: a refused file, a name the file system cannot take, or an image too large
     * for this JVM's heap is recorded and the next input goes on.
     */
    void fail(Path file, Throwable e, String message) throws IOException {
      progress.println(err, "pgdiffseg: " + message);
      results.addFailure(BatchFailure.row(file, e, message));
    }

    /**
     * A stem whose mask and overlay names (and the SEG's, for a single-frame DICOM, whose SEG sits beside its
     * mask) are free or hold earlier outputs of pgdiffseg.
     */
    String stem(Pending p) {
      boolean segBeside = p.seg() != null && p.seg().frames() == 1;
      return names.allocate(p.file(), p.frameSuffix(),
          stem -> folder.mayWrite(stem + "_mask.png") && folder.mayWrite(stem + "_overlay.png")
              && (!uncertainty || folder.mayWrite(stem + UNCERTAINTY_SUFFIX))
              && (!segBeside || folder.mayWrite(stem + SEG_SUFFIX)));
    }
  }

  /**
   * Segments the pending images, together when there are several, and writes their outputs. When a batch fails
   * its images are run one by one, so that one bad input fails alone. An output that cannot be written stops
   * the whole batch ({@link OutputFolder.WriteFailedException}).
   */
  private void segment(List<Pending> pending, Segmenter segmenter, Batch b) throws IOException {
    if (pending.isEmpty()) {
      return;
    }
    SegmentRequest request = SegmentRequest.defaults().withProgress(b.progress.steps());
    List<SegmentationResult> together = null;
    if (pending.size() > 1) {
      try {
        together = segmenter.segmentBatch(pending.stream().map(Pending::image).toList(), request);
      } catch (Exception | OutOfMemoryError e) {
        together = null;   // retried one by one below
      }
    }
    for (int i = 0; i < pending.size(); i++) {
      Pending p = pending.get(i);
      SegmentationResult r;
      String stem;
      try {
        r = together != null ? together.get(i) : segmenter.segment(p.image(), request);
        stem = b.stem(p);
      } catch (Exception | OutOfMemoryError e) {
        b.fail(p.file(), e, BatchFailure.message(e));
        frameFailed(p, b);
        continue;
      }
      Path maskFile = b.folder.resolve(stem + "_mask.png");
      Path overlayFile = b.folder.resolve(stem + "_overlay.png");
      try {
        writeOutputs(b.folder, p.image(), r, stem, r.measurements().value(), b.uncertainty);
      } catch (OutputFolder.WriteFailedException e) {
        throw e;
      } catch (Exception | OutOfMemoryError e) {
        b.fail(p.file(), e, BatchFailure.message(e));
        frameFailed(p, b);
        continue;
      }
      Map<String, Object> row = ResultJson.of(p.file(), p.image().name(), r, maskFile, overlayFile);
      if (b.uncertainty) {
        row.put("uncertainty", b.folder.resolve(stem + UNCERTAINTY_SUFFIX).toString());
      }
      row.put("measurements", r.measurements().toMap());
      b.results.addResult(row);   // at once, so that an interrupted batch lists it; the SEG's name comes later
      if (p.seg() != null) {
        p.seg().segmented(p.frame(), r.mask(), row);
        if (p.seg().complete()) {
          writeSeg(p.seg(), stem, b);
        }
      }
      b.progress.println(b.stdout, String.format("%s: %s, lesion %.2f%% of the image%s%s", p.image().name(),
          r.gate().skipped() ? "no tumor (gated)" : "segmented", 100 * r.mask().lesionFraction(),
          r.gate().skipped() ? "" : String.format(" (%.0f ms)", r.timings().totalNanos() / 1e6),
          r.confidence() == null ? "" : String.format(Locale.ROOT, ", confidence %.2f%s", r.confidence().value(),
              r.confidence().review() ? " (review)" : "")));
    }
    pending.clear();
  }

  private static void frameFailed(Pending p, Batch b) throws IOException {
    if (p.seg() != null) {
      p.seg().failed(p.frame());
      if (p.seg().complete()) {
        writeSeg(p.seg(), null, b);
      }
    }
  }

  /**
   * The last frame of a DICOM input is done: its SEG is written (a single frame's beside its mask, named after
   * {@code stem}; all frames of a multi-frame file in one, named after the file) and its frames' rows, already
   * recorded, get its name. A SEG that cannot be made (a source without the UIDs it must reference) fails this
   * input alone; a frame that failed leaves the file without a SEG, its failure already recorded.
   */
  private static void writeSeg(DicomSegOutput seg, String stem, Batch b) throws IOException {
    if (seg.anyFrameFailed()) {
      return;
    }
    byte[] encoded;
    try {
      if (seg.attributes == null) {
        throw seg.attributesError;
      }
      encoded = b.segWriter.write(seg.attributes, seg.masks());
    } catch (Exception | OutOfMemoryError e) {
      b.fail(seg.file, e, BatchFailure.message(e));
      return;
    }
    String name = (seg.frames() == 1 ? stem
        : b.names.allocate(seg.file, "", s -> b.folder.mayWrite(s + SEG_SUFFIX))) + SEG_SUFFIX;
    b.folder.writeAll(Map.of(name, tmp -> Files.write(tmp, encoded)));
    b.results.putInRows(seg.rows(), "seg", b.folder.resolve(name).toString());
  }

  private Map<String, Object> header(Segmenter segmenter) throws BundleException {
    return RecordedRun.json(segmenter, model.source());
  }

  /** Both outputs or neither, each whole: they land together through the output folder. */
  private static void writeOutputs(OutputFolder folder, DecodedImage image, SegmentationResult r, String stem,
      LesionMeasurements measured, boolean uncertainty) throws IOException {
    Map<String, OutputFolder.Content> files = new LinkedHashMap<>();
    files.put(stem + "_mask.png", r.mask()::writePng);
    String label = overlayLabel(r);
    BinaryMask uncertain = uncertainty ? UncertaintyMap.region(r.uncertainty(), r.modelHeight(), r.modelWidth(),
        r.height(), r.width(), UncertaintyMap.REGION_LEVEL) : null;
    files.put(stem + "_overlay.png", tmp -> Files.write(tmp,
        OverlayRenderer.defaults().encodePng(image, r.mask(), label, CaliperLines.of(measured), uncertain)));
    if (uncertainty) {
      float[] map = UncertaintyMap.resized(r.uncertainty(), r.modelHeight(), r.modelWidth(), r.height(), r.width());
      files.put(stem + UNCERTAINTY_SUFFIX, tmp -> ImageWriter.writeFloatMapPng(tmp, map, r.width(), r.height(), 0, 1));
    }
    folder.writeAll(files);
  }

  /**
   * What the overlay says in its corner: why an empty overlay is empty (gated), and "review" with the confidence
   * when the bundle's confidence model flags the mask; null when there is nothing to say.
   */
  static String overlayLabel(SegmentationResult r) {
    String gated = r.gate().skipped() ? String.format(Locale.ROOT, "no lesion (gated): P(%s) = %.3f",
        r.gate().skipClass(), r.gate().probability(r.gate().skipClass())) : null;
    String review = r.confidence() != null && r.confidence().review()
        ? String.format(Locale.ROOT, "review: confidence %.2f", r.confidence().value()) : null;
    if (gated != null && review != null) {
      return gated + "; " + review;
    }
    return gated != null ? gated : review;
  }
}
