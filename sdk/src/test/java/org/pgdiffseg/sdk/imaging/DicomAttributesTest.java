package org.pgdiffseg.sdk.imaging;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.pgdiffseg.sdk.InvalidImageException;

/** The top-level attributes kept from a DICOM walk: raw, unpadded, never from inside a sequence. */
class DicomAttributesTest {

  @Test
  void keepsTheIdentityAndFrameSizeOfAnExplicitFile() throws Exception {
    DicomAttributes a = DicomAttributes.read(DicomFiles.identified(20, 24, 3, "1.2.3.1", "1.2.3.22", "1.2.3.333"),
        "scan.dcm");
    assertThat(a.name()).isEqualTo("scan.dcm");
    assertThat(a.text(DicomAttributes.STUDY_INSTANCE_UID)).contains("1.2.3.1");
    assertThat(a.text(DicomAttributes.SERIES_INSTANCE_UID)).contains("1.2.3.22");
    assertThat(a.text(DicomAttributes.SOP_INSTANCE_UID)).contains("1.2.3.333");
    assertThat(a.value(DicomAttributes.SOP_INSTANCE_UID)).hasValueSatisfying(v -> assertThat(v).hasSize(9));
    assertThat(a.text(DicomAttributes.PATIENT_NAME)).contains("Doe^Jane");
    assertThat(a.has(DicomAttributes.PIXEL_SPACING)).isFalse();
    assertThat(a.lossyCompressed()).isFalse();
    assertThat(new int[] {a.rows(), a.columns(), a.frames()}).containsExactly(20, 24, 3);
  }

  @Test
  void readsImplicitVrAndKeepsTextBytesUnchanged() throws Exception {
    ByteArrayOutputStream out = DicomFiles.header("1.2.840.10008.1.2");
    byte[] utf8Name = "Müller^Anna".getBytes(StandardCharsets.UTF_8);   // 12 bytes: even, no padding
    DicomFiles.implicitElement(out, 0x0008, 0x0005, DicomFiles.text("ISO_IR 192"));
    DicomFiles.implicitElement(out, 0x0010, 0x0010, utf8Name);
    DicomFiles.implicitElement(out, 0x0028, 0x0030, DicomFiles.text("0.5\\0.6"));
    pixels(out, 16, 16);
    DicomAttributes a = DicomAttributes.read(out.toByteArray(), "implicit.dcm");
    assertThat(a.value(DicomAttributes.PATIENT_NAME)).hasValueSatisfying(v -> assertThat(v).isEqualTo(utf8Name));
    assertThat(a.text(DicomAttributes.PIXEL_SPACING)).contains("0.5\\0.6");
    assertThat(a.text(DicomAttributes.SPECIFIC_CHARACTER_SET)).contains("ISO_IR 192");
  }

  @Test
  void anAttributeInsideASequenceIsNotTheFilesOwn() throws Exception {
    ByteArrayOutputStream out = DicomFiles.header("1.2.840.10008.1.2");
    ByteArrayOutputStream item = new ByteArrayOutputStream();
    DicomFiles.implicitElement(item, 0x0020, 0x000E, DicomFiles.uid("9.9.9"));
    ByteArrayOutputStream sequence = new ByteArrayOutputStream();
    DicomFiles.implicitElement(sequence, 0xFFFE, 0xE000, item.toByteArray());
    DicomFiles.implicitElement(out, 0x0008, 0x1115, sequence.toByteArray());   // Referenced Series Sequence
    pixels(out, 16, 16);
    DicomAttributes a = DicomAttributes.read(out.toByteArray(), "nested.dcm");
    assertThat(a.has(DicomAttributes.SERIES_INSTANCE_UID)).isFalse();
  }

  @Test
  void jpegBaselineOrAnEarlierLossyStepIsLossy() throws Exception {
    ByteArrayOutputStream out = DicomFiles.header("1.2.840.10008.1.2");
    DicomFiles.implicitElement(out, 0x0028, 0x2110, DicomFiles.text("01"));
    pixels(out, 16, 16);
    assertThat(DicomAttributes.read(out.toByteArray(), "lossy.dcm").lossyCompressed()).isTrue();
  }

  @Test
  void anOverlongValueIsRefusedNamingTheFileAndTag() {
    ByteArrayOutputStream out = DicomFiles.header("1.2.840.10008.1.2");
    DicomFiles.implicitElement(out, 0x0010, 0x0010, new byte[2048]);
    pixels(out, 16, 16);
    assertThatThrownBy(() -> DicomAttributes.read(out.toByteArray(), "long.dcm"))
        .isInstanceOf(InvalidImageException.class)
        .hasMessageStartingWith("long.dcm: ")
        .hasMessageContaining("(0010,0010) holds 2048 bytes");
  }

  @Test
  void aFileThatIsNotDicomIsRefused() {
    assertThatThrownBy(() -> DicomAttributes.read(new byte[200], "x.png"))
        .isInstanceOf(InvalidImageException.class).hasMessageContaining("x.png: not a DICOM");
  }

  /** The image attributes and 8-bit pixels of a {@code rows} x {@code cols} frame, implicit VR. */
  private static void pixels(ByteArrayOutputStream out, int rows, int cols) {
    DicomFiles.implicitElement(out, 0x0028, 0x0010, DicomFiles.u16(rows));
    DicomFiles.implicitElement(out, 0x0028, 0x0011, DicomFiles.u16(cols));
    DicomFiles.implicitElement(out, 0x0028, 0x0100, DicomFiles.u16(8));
    DicomFiles.implicitElement(out, 0x7FE0, 0x0010, new byte[rows * cols]);
  }
}
