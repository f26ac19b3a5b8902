package org.pgdiffseg.samples;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.pgdiffseg.sdk.imaging.BinaryMask;
import org.pgdiffseg.sdk.imaging.DicomAttributes;

/**
 * The frames of one DICOM input on their way to its Segmentation: all frames of a file go into one SEG, but they
 * are segmented in batches with other inputs' images, so their masks wait here until the last frame is done,
 * with their results.json rows (already recorded) to name the SEG in. Not thread-safe: one batch fills it.
 */
final class DicomSegOutput {
  final Path file;
  /** The source's attributes, or null when they could not be read ({@link #attributesError} says why). */
  final DicomAttributes attributes;
  final Exception attributesError;
  private final BinaryMask[] masks;
  private final List<Map<String, Object>> rows = new ArrayList<>();
  private int finished;
  private boolean frameFailed;

  DicomSegOutput(Path file, DicomAttributes attributes, Exception attributesError, int frames) {
    this.file = file;
    this.attributes = attributes;
    this.attributesError = attributesError;
    this.masks = new BinaryMask[frames];
  }

  int frames() {
    return masks.length;
  }

  /** Frame {@code frame} (from 0) was segmented and its outputs written; {@code row} is its results.json row. */
  void segmented(int frame, BinaryMask mask, Map<String, Object> row) {
    masks[frame] = mask;
    rows.add(row);
    finished++;
  }

  /** Frame {@code frame} failed (recorded as a failure already): the file gets no SEG. */
  void failed(int frame) {
    masks[frame] = null;
    frameFailed = true;
    finished++;
  }

  boolean complete() {
    return finished == masks.length;
  }

  boolean anyFrameFailed() {
    return frameFailed;
  }

  /** The masks in frame order; only when {@link #complete()} and no frame failed. */
  List<BinaryMask> masks() {
    return List.copyOf(Arrays.asList(masks));
  }

  /** The results.json rows of the segmented frames (the recorded maps themselves), in segmenting order. */
  List<Map<String, Object>> rows() {
    return rows;
  }
}
