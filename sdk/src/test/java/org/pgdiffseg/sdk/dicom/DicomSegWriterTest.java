package org.pgdiffseg.sdk.dicom;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.pgdiffseg.sdk.InvalidImageException;
import org.pgdiffseg.sdk.imaging.BinaryMask;
import org.pgdiffseg.sdk.imaging.DicomFiles;

/** What the SEG writer refuses and what it writes, read back with the SDK's own DICOM walk. */
class DicomSegWriterTest {
  private static final DicomSegWriter WRITER = new DicomSegWriter(new SegmentAlgorithm("pgdiffseg-test", "1.0.0"));

  @Test
  void aSourceWithoutAStudyInstanceUidIsRefusedNamingTheFileAndTheTag() {
    byte[] source = DicomFiles.identified(20, 24, 1, null, "1.2.3.2", "1.2.3.3");
    assertThatThrownBy(() -> WRITER.write(source, "scan.dcm", List.of(BinaryMask.empty(24, 20))))
        .isInstanceOf(InvalidImageException.class)
        .hasMessageStartingWith("scan.dcm: ")
        .hasMessageContaining("Study Instance UID (0020,000D)");
  }

  @Test
  void aSourceWithoutASopInstanceUidIsRefusedNamingTheFileAndTheTag() {
    byte[] source = DicomFiles.identified(20, 24, 1, "1.2.3.1", "1.2.3.2", null);
    assertThatThrownBy(() -> WRITER.write(source, "scan.dcm", List.of(BinaryMask.empty(24, 20))))
        .isInstanceOf(InvalidImageException.class)
        .hasMessageStartingWith("scan.dcm: ")
        .hasMessageContaining("SOP Instance UID (0008,0018)");
  }

  @Test
  void aSourceWithoutASeriesInstanceUidIsRefusedNamingTheFileAndTheTag() {
    byte[] source = DicomFiles.identified(20, 24, 1, "1.2.3.1", null, "1.2.3.3");
    assertThatThrownBy(() -> WRITER.write(source, "scan.dcm", List.of(BinaryMask.empty(24, 20))))
        .isInstanceOf(InvalidImageException.class)
        .hasMessageStartingWith("scan.dcm: ")
        .hasMessageContaining("Series Instance UID (0020,000E)");
  }

  @Test
  void masksThatDoNotMatchTheSourceFramesAreAMistakeOfTheCaller() {
    byte[] source = DicomFiles.identified(20, 24, 2, "1.2.3.1", "1.2.3.2", "1.2.3.3");
    assertThatThrownBy(() -> WRITER.write(source, "scan.dcm", List.of(BinaryMask.empty(24, 20))))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("1 masks for 2 frames");
    assertThatThrownBy(() -> WRITER.write(source, "scan.dcm",
        List.of(BinaryMask.empty(20, 24), BinaryMask.empty(20, 24))))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("mask of 20 x 24");
  }

  @Test
  void theSegIsAnExplicitLittleEndianSegmentationOfTheSourceStudyWithNewSeriesAndInstance() throws Exception {
    byte[] source = DicomFiles.identified(20, 24, 2, "1.2.3.1", "1.2.3.2", "1.2.3.3");
    byte[] seg = WRITER.write(source, "scan.dcm", List.of(BinaryMask.empty(24, 20), BinaryMask.empty(24, 20)));
    assertThat(ui(seg, 0x00080016)).isEqualTo(DicomSegWriter.SEGMENTATION_STORAGE);
    assertThat(ui(seg, 0x0020000D)).isEqualTo("1.2.3.1");
    assertThat(ui(seg, 0x0020000E)).matches("2\\.25\\.[1-9][0-9]*");
    assertThat(ui(seg, 0x00080018)).matches("2\\.25\\.[1-9][0-9]*");
    assertThat(ui(seg, 0x00200052)).startsWith("2.25.");
    String text = new String(seg, StandardCharsets.ISO_8859_1);
    assertThat(text.substring(128, 132)).isEqualTo("DICM");
    assertThat(text).contains(DicomPart10.EXPLICIT_VR_LITTLE_ENDIAN).contains("BINARY").contains("AUTOMATIC")
        .contains("49755003").contains("4147007").contains("123110").contains("pgdiffseg-test 1.0.0");
  }

  @Test
  void twoSegsOfOneSourceGetDifferentUids() throws Exception {
    byte[] source = DicomFiles.identified(20, 24, 1, "1.2.3.1", "1.2.3.2", "1.2.3.3");
    List<BinaryMask> masks = List.of(BinaryMask.empty(24, 20));
    byte[] a = WRITER.write(source, "a", masks);
    byte[] b = WRITER.write(source, "b", masks);
    assertThat(ui(a, 0x00080018)).isNotEqualTo(ui(b, 0x00080018));
    assertThat(ui(a, 0x0020000E)).isNotEqualTo(ui(b, 0x0020000E));
  }

  /**
   * The UI value of the last element {@code tag} in the file: the top-level one for the tags asked here, which
   * sequences before them (Referenced Series Sequence) may also hold. highdicom checks the whole structure.
   */
  private static String ui(byte[] file, int tag) {
    byte[] header = {(byte) (tag >>> 16), (byte) (tag >>> 24), (byte) tag, (byte) (tag >>> 8), 'U', 'I'};
    for (int at = file.length - 8; at >= 132; at--) {
      if (java.util.Arrays.equals(file, at, at + 6, header, 0, 6)) {
        int length = (file[at + 6] & 0xFF) | (file[at + 7] & 0xFF) << 8;
        return new String(file, at + 8, length, StandardCharsets.US_ASCII).replace("\0", "");
      }
    }
    throw new AssertionError("no element " + DicomSegWriter.tagName(tag));
  }

  @Test
  void bitsArePackedFirstPixelLowestAndFramesRunOnInsideABytePaddedToEvenLength() {
    // two 3 x 3 frames: 18 bits, so frame 2 starts at bit 1 of byte 1
    byte[] first = new byte[9];
    first[0] = (byte) 255;
    first[8] = (byte) 255;
    byte[] second = new byte[9];
    second[0] = (byte) 255;
    second[8] = (byte) 255;
    byte[] packed = BitPacking.pack(List.of(new BinaryMask(3, 3, first), new BinaryMask(3, 3, second)));
    assertThat(packed).containsExactly(0b0000_0001, 0b0000_0011, 0b0000_0010, 0);
  }

  @Test
  void uidsAreTheUuidAsOneDecimalNumberUnderTwoDotTwentyFive() {
    assertThat(Uids.fromUuid(new java.util.UUID(0, 1))).isEqualTo("2.25.1");
    assertThat(Uids.fromUuid(new java.util.UUID(-1, -1)))
        .isEqualTo("2.25.340282366920938463463374607431768211455");
    List<String> made = new ArrayList<>();
    for (int i = 0; i < 100; i++) {
      made.add(Uids.random());
    }
    assertThat(made).doesNotHaveDuplicates().allMatch(u -> u.matches("2\\.25\\.(0|[1-9][0-9]*)") && u.length() <= 64);
  }

  @Test
  void theImplementationVersionNameFitsAnSh() {
    assertThat(DicomPart10.implementationVersionName()).startsWith("PGDIFFSEG_").hasSizeLessThanOrEqualTo(16);
  }
}
