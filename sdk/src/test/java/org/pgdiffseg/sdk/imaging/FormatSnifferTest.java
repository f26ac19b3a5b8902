package org.pgdiffseg.sdk.imaging;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** The one rule: magic number at byte 0, then DICM at byte 128, then the extension. */
class FormatSnifferTest {
  private static byte[] head(int... leading) {
    byte[] d = new byte[200];
    for (int i = 0; i < leading.length; i++) {
      d[i] = (byte) leading[i];
    }
    return d;
  }

  private static byte[] withDicm(byte[] d) {
    byte[] copy = Arrays.copyOf(d, d.length);
    copy[128] = 'D';
    copy[129] = 'I';
    copy[130] = 'C';
    copy[131] = 'M';
    return copy;
  }

  @Test
  void aMagicNumberAtByteZeroWinsOverTheDicomPreambleAndTheName() {
    assertThat(FormatSniffer.detect(withDicm(head(0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n')), "a.dcm"))
        .contains(ImageFormat.PNG);
    assertThat(FormatSniffer.detect(withDicm(head(0xFF, 0xD8, 0xFF)), "a.dcm")).contains(ImageFormat.JPEG);
    assertThat(FormatSniffer.detect(withDicm(head('B', 'M')), "a.dcm")).contains(ImageFormat.BMP);
    assertThat(FormatSniffer.detect(withDicm(head('I', 'I', 42, 0)), "a")).contains(ImageFormat.TIFF);
    assertThat(FormatSniffer.detect(withDicm(head('M', 'M', 0, 42)), "a")).contains(ImageFormat.TIFF);
  }

  @Test
  void theDicomPreambleWinsOverTheName() {
    assertThat(FormatSniffer.detect(withDicm(head()), "scan.png")).contains(ImageFormat.DICOM);
    assertThat(FormatSniffer.detect(withDicm(head('I', 'I', 0, 0)), "1.2.840.113619")).contains(ImageFormat.DICOM);
  }

  @Test
  void theExtensionDecidesLastAndNothingIsGuessedWithoutOne() {
    assertThat(FormatSniffer.detect(head(), "scan.PNG")).contains(ImageFormat.PNG);
    assertThat(FormatSniffer.detect(head(), "dir/scan.dicom")).contains(ImageFormat.DICOM);
    assertThat(FormatSniffer.detect(head(), "notes.txt")).isEmpty();
    assertThat(FormatSniffer.detect(head(), "dir.png/scan")).isEmpty();
    assertThat(FormatSniffer.detect(new byte[3], "short")).isEmpty();
  }
}
