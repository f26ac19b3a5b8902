package org.pgdiffseg.sdk.dicom;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.pgdiffseg.sdk.SdkVersion;

/** A DICOM Part 10 file (PS3.10 §7.1): 128-byte preamble, "DICM", the file meta group, then the data set. */
final class DicomPart10 {
  static final String EXPLICIT_VR_LITTLE_ENDIAN = "1.2.840.10008.1.2.1";
  /**
   * Identifies the software that wrote the file (0002,0012); a fixed UUID-derived UID, made once for PGDiffSeg,
   * so that files of every release name the same implementation and the version says which release.
   */
  static final String IMPLEMENTATION_CLASS_UID = "2.25.315288360521134978160515122543612336175";

  private DicomPart10() {}

  /** {@code dataset} encoded as explicit VR little endian behind its file meta group. */
  static byte[] file(DicomDataset dataset, String sopClassUid, String sopInstanceUid) {
    DicomDataset meta = new DicomDataset()
        .raw(0x00020001, "OB", new byte[] {0, 1})
        .text(0x00020002, "UI", sopClassUid)
        .text(0x00020003, "UI", sopInstanceUid)
        .text(0x00020010, "UI", EXPLICIT_VR_LITTLE_ENDIAN)
        .text(0x00020012, "UI", IMPLEMENTATION_CLASS_UID)
        .text(0x00020013, "SH", implementationVersionName());
    byte[] metaBytes = meta.encode();
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.writeBytes(new byte[128]);
    out.writeBytes(new byte[] {'D', 'I', 'C', 'M'});
    // (0002,0000) File Meta Information Group Length, UL: the bytes of the meta elements that follow it
    out.writeBytes(ByteBuffer.allocate(12).order(ByteOrder.LITTLE_ENDIAN).putShort((short) 2).putShort((short) 0)
        .put(new byte[] {'U', 'L'}).putShort((short) 4).putInt(metaBytes.length).array());
    out.writeBytes(metaBytes);
    out.writeBytes(dataset.encode());
    return out.toByteArray();
  }

  /** "PGDIFFSEG_" and the SDK version, cut to the 16 characters an SH holds. */
  static String implementationVersionName() {
    String name = "PGDIFFSEG_" + SdkVersion.get().replaceAll("[^0-9A-Za-z.]", "");
    return name.length() > 16 ? name.substring(0, 16) : name;
  }
}
