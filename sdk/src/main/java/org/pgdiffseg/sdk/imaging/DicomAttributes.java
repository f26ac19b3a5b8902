package org.pgdiffseg.sdk.imaging;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.pgdiffseg.sdk.InvalidImageException;

/**
 * The top-level attributes of a DICOM file that a derived object (a Segmentation) copies or references: its
 * identity (SOP Class and Instance, Series, Study), the patient and study fields, and its geometry (Frame of
 * Reference, Pixel Spacing, plane position and orientation), with the frame size. Values are kept as their raw
 * bytes, less trailing padding, so that text in the file's own character set is copied unchanged. Read by
 * {@link DicomHeader}'s checked walk, so a file the reader refuses is refused here too. Immutable, thread-safe.
 */
public final class DicomAttributes {
  public static final int SPECIFIC_CHARACTER_SET = 0x00080005;
  public static final int SOP_CLASS_UID = 0x00080016;
  public static final int SOP_INSTANCE_UID = 0x00080018;
  public static final int STUDY_DATE = 0x00080020;
  public static final int STUDY_TIME = 0x00080030;
  public static final int ACCESSION_NUMBER = 0x00080050;
  public static final int REFERRING_PHYSICIAN_NAME = 0x00080090;
  public static final int PATIENT_NAME = 0x00100010;
  public static final int PATIENT_ID = 0x00100020;
  public static final int PATIENT_BIRTH_DATE = 0x00100030;
  public static final int PATIENT_SEX = 0x00100040;
  public static final int SLICE_THICKNESS = 0x00180050;
  public static final int STUDY_INSTANCE_UID = 0x0020000D;
  public static final int SERIES_INSTANCE_UID = 0x0020000E;
  public static final int STUDY_ID = 0x00200010;
  public static final int IMAGE_POSITION_PATIENT = 0x00200032;
  public static final int IMAGE_ORIENTATION_PATIENT = 0x00200037;
  public static final int FRAME_OF_REFERENCE_UID = 0x00200052;
  public static final int POSITION_REFERENCE_INDICATOR = 0x00201040;
  public static final int PIXEL_SPACING = 0x00280030;
  /** Imager Pixel Spacing: the pixel size at the detector (projection images), used when Pixel Spacing is absent. */
  public static final int IMAGER_PIXEL_SPACING = 0x00181164;
  public static final int LOSSY_IMAGE_COMPRESSION = 0x00282110;

  /** The tags the walk keeps; every other element is only checked and passed over. */
  static final Set<Integer> KEPT = Set.of(SPECIFIC_CHARACTER_SET, SOP_CLASS_UID, SOP_INSTANCE_UID, STUDY_DATE,
      STUDY_TIME, ACCESSION_NUMBER, REFERRING_PHYSICIAN_NAME, PATIENT_NAME, PATIENT_ID, PATIENT_BIRTH_DATE,
      PATIENT_SEX, SLICE_THICKNESS, STUDY_INSTANCE_UID, SERIES_INSTANCE_UID, STUDY_ID, IMAGE_POSITION_PATIENT,
      IMAGE_ORIENTATION_PATIENT, FRAME_OF_REFERENCE_UID, POSITION_REFERENCE_INDICATOR, PIXEL_SPACING,
      IMAGER_PIXEL_SPACING, LOSSY_IMAGE_COMPRESSION);
  /** A kept value longer than this is not a patient, study or geometry field of any real file. */
  static final int MAX_VALUE_BYTES = 1024;

  private final String name;
  private final int rows;
  private final int columns;
  private final int frames;
  private final boolean lossy;
  private final Map<Integer, byte[]> values;
  private final List<UltrasoundRegion> regions;

  private DicomAttributes(String name, int rows, int columns, int frames, boolean lossy,
      Map<Integer, byte[]> values, List<UltrasoundRegion> regions) {
    this.regions = List.copyOf(regions);
    this.name = name;
    this.rows = rows;
    this.columns = columns;
    this.frames = frames;
    this.lossy = lossy;
    this.values = Map.copyOf(values);
  }

  /**
   * The attributes of the DICOM Part 10 file {@code data}; {@code name} names it in messages. Throws when the
   * file is not one the SDK reads (the same checks as {@link DicomReader}, without the size limits).
   */
  public static DicomAttributes read(byte[] data, String name) throws InvalidImageException {
    if (!DicomReader.isDicom(data)) {
      throw new InvalidImageException(name + ": not a DICOM Part 10 file (no DICM preamble)");
    }
    return of(DicomHeader.parse(data, name, Long.MAX_VALUE, Integer.MAX_VALUE, 1), data, name);
  }

  /** The attributes of {@code data}, whose header the reader has already parsed and checked. */
  static DicomAttributes of(DicomHeader header, byte[] data, String name) throws InvalidImageException {
    DicomHeader.Kept kept = DicomHeader.keptAttributes(data, name);
    return new DicomAttributes(name, header.rows(), header.columns(), header.frames(),
        header.transferSyntax().equals(DicomHeader.JPEG_BASELINE), kept.values(), kept.regions());
  }

  /** The name given to {@link #read}: the file, in messages. */
  public String name() {
    return name;
  }

  public int rows() {
    return rows;
  }

  public int columns() {
    return columns;
  }

  public int frames() {
    return frames;
  }

  /**
   * True when the pixels have been through lossy compression: stored as JPEG Baseline, or Lossy Image
   * Compression (0028,2110) says "01" (an earlier step compressed them).
   */
  public boolean lossyCompressed() {
    return lossy || text(LOSSY_IMAGE_COMPRESSION).filter("01"::equals).isPresent();
  }

  /** The raw value of {@code tag} less its trailing padding; empty when absent or of zero length. */
  public Optional<byte[]> value(int tag) {
    byte[] v = values.get(tag);
    return v == null || v.length == 0 ? Optional.empty() : Optional.of(v.clone());
  }

  /** The value of {@code tag} as text (ISO 8859-1, trimmed); empty when absent or blank. */
  public Optional<String> text(int tag) {
    byte[] v = values.get(tag);
    String s = v == null ? "" : new String(v, StandardCharsets.ISO_8859_1).trim();
    return s.isEmpty() ? Optional.empty() : Optional.of(s);
  }

  /**
   * The file's Pixel Spacing (0028,0030: row spacing, then column spacing, in mm), when it states two positive,
   * finite values; empty otherwise (ultrasound often calibrates in a Sequence of Ultrasound Regions instead, which is
   * not read here).
   */
  public Optional<PixelSpacing> pixelSpacing() {
    return spacingOf(PIXEL_SPACING);
  }

  /** Two positive, finite decimals of {@code tag} (row, then column spacing in mm), or empty. */
  private Optional<PixelSpacing> spacingOf(int tag) {
    return text(tag).flatMap(v -> {
      String[] parts = v.split("\\\\");
      if (parts.length != 2) {
        return Optional.empty();
      }
      try {
        double row = Double.parseDouble(parts[0].trim());
        double column = Double.parseDouble(parts[1].trim());
        return Double.isFinite(row) && Double.isFinite(column) && row > 0 && column > 0
            ? Optional.of(new PixelSpacing(row, column)) : Optional.empty();
      } catch (NumberFormatException e) {
        return Optional.empty();
      }
    });
  }

  /** The items of the Sequence of Ultrasound Regions (0018,6011), in file order; empty when there is none. */
  public List<UltrasoundRegion> ultrasoundRegions() {
    return regions;
  }

  /** The pixel size a lesion is measured with, or none, and where it came from or why there is none. */
  public record ChosenSpacing(PixelSpacing value, String source) {}

  /**
   * The pixel size for a lesion whose bounding box is {@code [left, right] x [top, bottom]} (null: no lesion):
   * the Pixel Spacing when the file states one; else, for ultrasound, the calibrated region that contains the
   * whole lesion. None, with the reason, when the lesion lies in no region, crosses a region's bounds, its region
   * is not in cm, or the regions that contain it disagree on the scale.
   */
  public ChosenSpacing spacingFor(int[] box) {
    Optional<PixelSpacing> stated = pixelSpacing();
    if (stated.isPresent()) {
      return new ChosenSpacing(stated.get(), "Pixel Spacing (0028,0030)");
    }
    Optional<PixelSpacing> imager = spacingOf(IMAGER_PIXEL_SPACING);
    if (imager.isPresent()) {
      return new ChosenSpacing(imager.get(), "Imager Pixel Spacing (0018,1164), the size at the detector");
    }
    if (regions.isEmpty()) {
      return new ChosenSpacing(null, "none: the DICOM file states no usable Pixel Spacing (0028,0030), Imager Pixel"
          + " Spacing (0018,1164) or Sequence of Ultrasound Regions (0018,6011)");
    }
    if (box == null) {
      return new ChosenSpacing(null, "none: no lesion to place in an ultrasound region");
    }
    List<Integer> containing = new ArrayList<>();
    for (int i = 0; i < regions.size(); i++) {
      if (regions.get(i).contains(box[0], box[1], box[2], box[3])) {
        containing.add(i);
      }
    }
    if (containing.isEmpty()) {
      boolean crosses = regions.stream().anyMatch(r -> r.overlaps(box[0], box[1], box[2], box[3]));
      return new ChosenSpacing(null, crosses ? "none: the lesion crosses the bounds of an ultrasound region"
          : "none: the lesion lies in no ultrasound region");
    }
    PixelSpacing chosen = null;
    int from = -1;
    for (int i : containing) {
      UltrasoundRegion r = regions.get(i);
      if (r.problem() != null) {
        return new ChosenSpacing(null, "none: " + r.problem() + " (region " + (i + 1) + ")");
      }
      PixelSpacing s = r.spacing().orElseThrow();
      if (chosen != null && (Math.abs(s.rowMm() - chosen.rowMm()) > 1e-9 * chosen.rowMm()
          || Math.abs(s.columnMm() - chosen.columnMm()) > 1e-9 * chosen.columnMm())) {
        return new ChosenSpacing(null, "none: the ultrasound regions that contain the lesion disagree on its scale"
            + " (regions " + (from + 1) + " and " + (i + 1) + ")");
      }
      if (chosen == null) {
        chosen = s;
        from = i;
      }
    }
    return new ChosenSpacing(chosen, "Sequence of Ultrasound Regions (0018,6011), region " + (from + 1));
  }

  /** True when the value of {@code tag} is present and not empty. */
  public boolean has(int tag) {
    return value(tag).isPresent();
  }
}
