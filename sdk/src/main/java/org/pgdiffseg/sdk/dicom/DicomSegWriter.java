package org.pgdiffseg.sdk.dicom;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;
import static org.pgdiffseg.sdk.imaging.DicomAttributes.ACCESSION_NUMBER;
import static org.pgdiffseg.sdk.imaging.DicomAttributes.FRAME_OF_REFERENCE_UID;
import static org.pgdiffseg.sdk.imaging.DicomAttributes.IMAGE_ORIENTATION_PATIENT;
import static org.pgdiffseg.sdk.imaging.DicomAttributes.IMAGE_POSITION_PATIENT;
import static org.pgdiffseg.sdk.imaging.DicomAttributes.PATIENT_BIRTH_DATE;
import static org.pgdiffseg.sdk.imaging.DicomAttributes.PATIENT_ID;
import static org.pgdiffseg.sdk.imaging.DicomAttributes.PATIENT_NAME;
import static org.pgdiffseg.sdk.imaging.DicomAttributes.PATIENT_SEX;
import static org.pgdiffseg.sdk.imaging.DicomAttributes.PIXEL_SPACING;
import static org.pgdiffseg.sdk.imaging.DicomAttributes.POSITION_REFERENCE_INDICATOR;
import static org.pgdiffseg.sdk.imaging.DicomAttributes.REFERRING_PHYSICIAN_NAME;
import static org.pgdiffseg.sdk.imaging.DicomAttributes.SERIES_INSTANCE_UID;
import static org.pgdiffseg.sdk.imaging.DicomAttributes.SLICE_THICKNESS;
import static org.pgdiffseg.sdk.imaging.DicomAttributes.SOP_CLASS_UID;
import static org.pgdiffseg.sdk.imaging.DicomAttributes.SOP_INSTANCE_UID;
import static org.pgdiffseg.sdk.imaging.DicomAttributes.SPECIFIC_CHARACTER_SET;
import static org.pgdiffseg.sdk.imaging.DicomAttributes.STUDY_DATE;
import static org.pgdiffseg.sdk.imaging.DicomAttributes.STUDY_ID;
import static org.pgdiffseg.sdk.imaging.DicomAttributes.STUDY_INSTANCE_UID;
import static org.pgdiffseg.sdk.imaging.DicomAttributes.STUDY_TIME;

import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.pgdiffseg.sdk.InvalidImageException;
import org.pgdiffseg.sdk.SdkVersion;
import org.pgdiffseg.sdk.imaging.BinaryMask;
import org.pgdiffseg.sdk.imaging.DicomAttributes;

/**
 * Writes a lesion mask as a DICOM Segmentation (PS3.3 §A.51, SOP Class 1.2.840.10008.5.1.4.1.1.66.4) derived from
 * its source image: explicit VR little endian, Segmentation Type BINARY, one segment "lesion" (SNOMED CT
 * "Morphologically Abnormal Structure" / "Mass", CID 7150 / 7151) made by the model, one frame per source frame
 * (an empty mask is an all-zero frame), each frame referencing the source frame it was derived from. Patient and
 * study are those of the source, so the SEG lands in the source's study; its series and instance are new
 * ({@link Uids}). docs/dicom-out.md lists every attribute written. Thread-safe.
 */
public final class DicomSegWriter {
  public static final String SEGMENTATION_STORAGE = "1.2.840.10008.5.1.4.1.1.66.4";
  /** Series Number is type 1 in a Segmentation Series; one fixed number keeps derived series apart in a viewer. */
  static final String SERIES_NUMBER = "9901";

  private final SegmentAlgorithm algorithm;

  public DicomSegWriter(SegmentAlgorithm algorithm) {
    this.algorithm = checkNotNull(algorithm, "algorithm");
  }

  /** The SEG of {@code frames} (one mask per frame, in order) over the DICOM file {@code source}. */
  public byte[] write(byte[] source, String sourceName, List<BinaryMask> frames) throws InvalidImageException {
    return write(DicomAttributes.read(source, sourceName), frames);
  }

  /**
   * The SEG of {@code frames} over the source whose attributes are {@code source}. A source without the UIDs
   * a derived object must reference is refused, naming the file and the attribute; masks that do not match the
   * source's frames are a caller's mistake ({@link IllegalArgumentException}).
   */
  public byte[] write(DicomAttributes source, List<BinaryMask> frames) throws InvalidImageException {
    checkNotNull(source, "source");
    checkArgument(frames.size() == source.frames(), "%s masks for %s frames of %s", frames.size(), source.frames(),
        source.name());
    for (BinaryMask m : frames) {
      checkArgument(m.width() == source.columns() && m.height() == source.rows(),
          "mask of %s x %s for frames of %s x %s (%s)", m.width(), m.height(), source.columns(), source.rows(),
          source.name());
    }
    SourceReference ref = new SourceReference(required(source, STUDY_INSTANCE_UID, "Study Instance UID"),
        required(source, SERIES_INSTANCE_UID, "Series Instance UID"),
        required(source, SOP_CLASS_UID, "SOP Class UID"), required(source, SOP_INSTANCE_UID, "SOP Instance UID"));
    String seriesUid = Uids.random();
    String instanceUid = Uids.random();
    String dimensionUid = Uids.random();
    LocalDateTime now = LocalDateTime.now();
    // Plane position and orientation only where the source has them: ultrasound usually has neither, and a
    // top-level position describes one frame, so it is used for a single-frame source only.
    boolean oriented = source.has(IMAGE_ORIENTATION_PATIENT) && source.has(PIXEL_SPACING);
    boolean positioned = oriented && source.frames() == 1 && source.has(IMAGE_POSITION_PATIENT);

    DicomDataset ds = new DicomDataset();
    copy(source, ds, SPECIFIC_CHARACTER_SET, "CS", false);
    ds.text(0x00080008, "CS", "DERIVED\\PRIMARY")
        .text(0x00080016, "UI", SEGMENTATION_STORAGE)
        .text(0x00080018, "UI", instanceUid)
        .text(0x00080023, "DA", now.format(DateTimeFormatter.BASIC_ISO_DATE))
        .text(0x00080033, "TM", now.format(DateTimeFormatter.ofPattern("HHmmss.SSS", Locale.ROOT)))
        .text(0x00080060, "CS", "SEG")
        .text(0x00080070, "LO", "PGDiffSeg")
        .text(0x0008103E, "LO", "PGDiffSeg lesion segmentation")
        .text(0x00081090, "LO", cut(algorithm.modelId(), 64))
        .text(0x00181000, "LO", "0")
        .text(0x00181020, "LO", cut("PGDiffSeg " + SdkVersion.get(), 64))
        .text(0x0020000D, "UI", ref.study())
        .text(0x0020000E, "UI", seriesUid)
        .text(0x00200011, "IS", SERIES_NUMBER)
        .text(0x00200013, "IS", "1")
        .text(0x00200052, "UI", source.text(FRAME_OF_REFERENCE_UID).orElseGet(Uids::random))
        .us(0x00280002, 1)
        .text(0x00280004, "CS", "MONOCHROME2")
        .text(0x00280008, "IS", Integer.toString(frames.size()))
        .us(0x00280010, source.rows())
        .us(0x00280011, source.columns())
        .us(0x00280100, 1)
        .us(0x00280101, 1)
        .us(0x00280102, 0)
        .us(0x00280103, 0)
        .text(0x00282110, "CS", source.lossyCompressed() ? "01" : "00")
        .text(0x00620001, "CS", "BINARY")
        .sequence(0x00620002, segment())
        .text(0x00700080, "CS", "LESION")
        .text(0x00700081, "LO", "Breast lesion segmented by " + cut(algorithm.algorithmVersion(), 38))
        .text(0x00700084, "PN", "")
        .sequence(0x00081115, new DicomDataset()
            .text(0x0020000E, "UI", ref.series())
            .sequence(0x0008114A, new DicomDataset()
                .text(0x00081150, "UI", ref.sopClass())
                .text(0x00081155, "UI", ref.sopInstance())))
        .sequence(0x00209221, new DicomDataset().text(0x00209164, "UI", dimensionUid))
        .raw(0x7FE00010, "OB", BitPacking.pack(frames));
    if (!oriented) {
      ds.text(0x00200020, "CS", "");   // General Image: Patient Orientation, type 2C, unknown here
    }
    for (int tag : new int[] {PATIENT_NAME, REFERRING_PHYSICIAN_NAME}) {
      copy(source, ds, tag, "PN", true);
    }
    copy(source, ds, PATIENT_ID, "LO", true);
    copy(source, ds, PATIENT_BIRTH_DATE, "DA", true);
    copy(source, ds, PATIENT_SEX, "CS", true);
    copy(source, ds, STUDY_DATE, "DA", true);
    copy(source, ds, STUDY_TIME, "TM", true);
    copy(source, ds, ACCESSION_NUMBER, "SH", true);
    copy(source, ds, STUDY_ID, "SH", true);
    copy(source, ds, POSITION_REFERENCE_INDICATOR, "LO", true);
    ds.sequence(0x00209222, dimensionIndex(dimensionUid, positioned));
    ds.sequence(0x52009229, sharedGroups(source, oriented));
    List<DicomDataset> perFrame = new ArrayList<>();
    for (int f = 0; f < frames.size(); f++) {
      perFrame.add(frameGroups(source, ref, f, positioned));
    }
    ds.sequence(0x52009230, perFrame);
    return DicomPart10.file(ds, SEGMENTATION_STORAGE, instanceUid);
  }

  /** The one segment: what it is (SNOMED CT codes of CID 7150 and 7151) and which algorithm made it. */
  private DicomDataset segment() {
    return new DicomDataset()
        .us(0x00620004, 1)
        .text(0x00620005, "LO", "lesion")
        .text(0x00620008, "CS", "AUTOMATIC")
        .text(0x00620009, "LO", "PGDiffSeg")
        .sequence(0x00620003, code("49755003", "SCT", "Morphologically Abnormal Structure"))
        .sequence(0x0062000F, code("4147007", "SCT", "Mass"))
        .sequence(0x00620007, new DicomDataset()
            .sequence(0x0066002F, code("123110", "DCM", "Artificial Intelligence"))
            .text(0x00660031, "LO", algorithm.algorithmVersion())
            .text(0x00660036, "LO", "PGDiffSeg"));
  }

  /** Frames are indexed by segment, then (when the source has one) by their position in the patient. */
  private static List<DicomDataset> dimensionIndex(String uid, boolean positioned) {
    List<DicomDataset> index = new ArrayList<>();
    index.add(new DicomDataset().text(0x00209164, "UI", uid)
        .at(0x00209165, 0x0062000B).at(0x00209167, 0x0062000A)
        .text(0x00209421, "LO", "Segment Number"));
    if (positioned) {
      index.add(new DicomDataset().text(0x00209164, "UI", uid)
          .at(0x00209165, IMAGE_POSITION_PATIENT).at(0x00209167, 0x00209113)
          .text(0x00209421, "LO", "Image Position Patient"));
    }
    return index;
  }

  /** Pixel Measures where the source has a Pixel Spacing, Plane Orientation where it also has an orientation. */
  private static DicomDataset sharedGroups(DicomAttributes source, boolean oriented) {
    DicomDataset shared = new DicomDataset();
    source.value(PIXEL_SPACING).ifPresent(spacing -> {
      DicomDataset measures = new DicomDataset().raw(PIXEL_SPACING, "DS", spacing);
      source.value(SLICE_THICKNESS).ifPresent(t -> measures.raw(SLICE_THICKNESS, "DS", t));
      shared.sequence(0x00289110, measures);
    });
    if (oriented) {
      shared.sequence(0x00209116, new DicomDataset().raw(IMAGE_ORIENTATION_PATIENT, "DS",
          source.value(IMAGE_ORIENTATION_PATIENT).orElseThrow()));
    }
    return shared;
  }

  /**
   * Frame {@code f}: derived from frame f + 1 of the source (the frame number named only for a multi-frame
   * source, as PS3.3 C.7.6.1.1.4 wants), of segment 1, at the source's position when it has one.
   */
  private static DicomDataset frameGroups(DicomAttributes source, SourceReference ref, int f, boolean positioned) {
    DicomDataset sourceImage = new DicomDataset()
        .text(0x00081150, "UI", ref.sopClass())
        .text(0x00081155, "UI", ref.sopInstance())
        .text(0x0028135A, "CS", "YES")   // the mask is on the source's own pixel grid
        .sequence(0x0040A170, code("121322", "DCM", "Source image for image processing operation"));
    if (source.frames() > 1) {
      sourceImage.text(0x00081160, "IS", Integer.toString(f + 1));
    }
    DicomDataset groups = new DicomDataset()
        .sequence(0x00089124, new DicomDataset()
            .sequence(0x00082112, sourceImage)
            .sequence(0x00089215, code("113076", "DCM", "Segmentation")))
        .sequence(0x00209111, positioned ? new DicomDataset().ul(0x00209157, 1, 1)
            : new DicomDataset().ul(0x00209157, 1))
        .sequence(0x0062000A, new DicomDataset().us(0x0062000B, 1));
    if (positioned) {
      groups.sequence(0x00209113, new DicomDataset().raw(IMAGE_POSITION_PATIENT, "DS",
          source.value(IMAGE_POSITION_PATIENT).orElseThrow()));
    }
    return groups;
  }

  private static DicomDataset code(String value, String scheme, String meaning) {
    return new DicomDataset().text(0x00080100, "SH", value).text(0x00080102, "SH", scheme)
        .text(0x00080104, "LO", meaning);
  }

  private static String cut(String s, int max) {
    return s.length() > max ? s.substring(0, max) : s;
  }

  private static String required(DicomAttributes source, int tag, String name) throws InvalidImageException {
    return source.text(tag).orElseThrow(() -> new InvalidImageException(source.name() + ": cannot derive a DICOM"
        + " Segmentation: the source has no " + name + " " + tagName(tag)));
  }

  private static void copy(DicomAttributes source, DicomDataset ds, int tag, String vr, boolean type2) {
    source.value(tag).ifPresentOrElse(v -> ds.raw(tag, vr, v), () -> {
      if (type2) {
        ds.raw(tag, vr, new byte[0]);
      }
    });
  }

  static String tagName(int tag) {
    return String.format(Locale.ROOT, "(%04X,%04X)", tag >>> 16, tag & 0xFFFF);
  }

  /** The source instance every frame is derived from. */
  private record SourceReference(String study, String series, String sopClass, String sopInstance) {}
}
