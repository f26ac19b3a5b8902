package org.pgdiffseg.samples;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.pgdiffseg.sdk.pipeline.SegmentationResult;

/** The JSON form of results and settings written by the commands. */
final class ResultJson {
  private ResultJson() {}

  /** {@code name} is the image's name (the file, or "file#frameN" for a frame of a DICOM). */
  static Map<String, Object> of(Path file, String name, SegmentationResult r, Path mask, Path overlay) {
    Map<String, Object> m = new LinkedHashMap<>();
    putSource(m, file, name);
    m.put("width", r.width());
    m.put("height", r.height());
    m.put("class_probabilities", r.gate().asMap());
    m.put("gated", r.gate().skipped());
    m.put("lesion_pixels", r.mask().lesionPixels());
    m.put("lesion_fraction", r.mask().lesionFraction());
    if (r.confidence() != null) {   // absent when the bundle has no confidence model
      m.put("confidence", r.confidence().value());
      m.put("review", r.confidence().review());
    }
    m.put("mask", mask.toString());
    m.put("overlay", overlay.toString());
    var t = r.timings();
    Map<String, Object> ms = new LinkedHashMap<>();
    ms.put("decode", t.decodeNanos() / 1e6);
    ms.put("preprocess", t.preprocessNanos() / 1e6);
    ms.put("prior", t.priorNanos() / 1e6);
    ms.put("denoise", t.denoiseNanos() / 1e6);
    ms.put("postprocess", t.postprocessNanos() / 1e6);
    ms.put("confidence", t.assessNanos() / 1e6);
    ms.put("total", t.totalNanos() / 1e6);
    m.put("timings_ms", ms);
    return m;
  }

  /**
   * "image": the input's name. When the file name is not valid in the JVM's file-name encoding (shown with
   * U+FFFD), "image_uri" adds its exact bytes, percent-encoded, so the row can still be traced to its file.
   */
  static void putSource(Map<String, Object> row, Path file, String name) {
    row.put("image", name);
    boolean lossless;
    try {
      lossless = Path.of(file.toString()).equals(file);
    } catch (RuntimeException e) {
      lossless = false;
    }
    if (!lossless) {
      row.put("image_uri", file.toUri().toString());
    }
  }
}
