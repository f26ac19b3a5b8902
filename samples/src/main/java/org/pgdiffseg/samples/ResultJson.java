package org.pgdiffseg.samples;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.pgdiffseg.sdk.gating.GatePolicy;
import org.pgdiffseg.sdk.pipeline.SamplingOptions;
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
    m.put("mask", mask.toString());
    m.put("overlay", overlay.toString());
    var t = r.timings();
    Map<String, Object> ms = new LinkedHashMap<>();
    ms.put("decode", t.decodeNanos() / 1e6);
    ms.put("preprocess", t.preprocessNanos() / 1e6);
    ms.put("prior", t.priorNanos() / 1e6);
    ms.put("denoise", t.denoiseNanos() / 1e6);
    ms.put("postprocess", t.postprocessNanos() / 1e6);
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

  static Map<String, Object> settings(SamplingOptions o, GatePolicy gate) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("scheduler", o.scheduler().name());
    m.put("steps", o.steps());
    m.put("ensemble", o.ensemble());
    m.put("seed", o.seed());
    m.put("initial_sample", o.initialSample().manifestName());
    m.put("mask_threshold", o.maskThreshold());
    m.put("largest_component", o.keepLargestComponent());
    m.put("fill_holes", o.fillHoles());
    m.put("gating", gate.enabled());
    m.put("gate_threshold", gate.threshold());
    return m;
  }
}
