package org.pgdiffseg.sdk.imaging;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.pgdiffseg.sdk.imaging.DicomFiles.dicom;
import static org.pgdiffseg.sdk.imaging.DicomFiles.element;
import static org.pgdiffseg.sdk.imaging.DicomFiles.header;
import static org.pgdiffseg.sdk.imaging.DicomFiles.ramp;
import static org.pgdiffseg.sdk.imaging.DicomFiles.text;
import static org.pgdiffseg.sdk.imaging.DicomFiles.u16;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.api.io.TempDir;
import org.pgdiffseg.sdk.InvalidImageException;

/**
 * Files made to hang, exhaust or fool the readers, each built here from its recipe. Every one is refused
 * with {@link InvalidImageException} within seconds, and nothing reaches standard output.
 */
class HostileInputTest {
  private static final Duration QUICKLY = Duration.ofSeconds(20);
  @TempDir Path tmp;
  private final ByteArrayOutputStream stdout = new ByteArrayOutputStream();
  private PrintStream realStdout;

  @BeforeEach
  void captureStdout() {
    realStdout = System.out;
    System.setOut(new PrintStream(stdout, true, StandardCharsets.UTF_8));
  }

  @AfterEach
  void restoreStdoutAndCheckNothingWasPrinted() {
    System.setOut(realStdout);
    assertThat(stdout.toString(StandardCharsets.UTF_8)).as("printed by a library").isEmpty();
  }

  private static void refused(byte[] data, long maxPixels, String... messageParts) {
    assertTimeoutPreemptively(QUICKLY, () -> {
      var thrown = assertThatThrownBy(() -> new DicomReader(maxPixels).read(data, "hostile.dcm"))
          .isInstanceOf(InvalidImageException.class).hasMessageContaining("hostile.dcm");
      for (String part : messageParts) {
        thrown.hasMessageContaining(part);
      }
    });
  }

  /** A valid 8 x 8 file cut at every length from just after the preamble: refused, never a hang. */
  @Test
  void aDicomCutAnywhereIsRefusedWithoutHanging() {
    byte[] whole = dicom(16, 16, 1, ramp(256, 1), "256", "512");
    assertTimeoutPreemptively(Duration.ofSeconds(60), () -> {
      for (int cut = 132; cut < whole.length; cut++) {
        byte[] part = Arrays.copyOf(whole, cut);
        assertThatThrownBy(() -> new DicomReader(1_000_000).read(part, "hostile.dcm")).as("cut at %d", cut)
            .isInstanceOf(InvalidImageException.class);
      }
    });
  }

  @Test
  void anElementWhoseLengthRunsPastTheEndIsRefused() {
    ByteArrayOutputStream out = header("1.2.840.10008.1.2.1");
    element(out, 0x0028, 0x0010, "US", u16(8));
    // (0008,103E) declares 40,000 bytes; the file ends after 4: an interrupted copy.
    out.writeBytes(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putShort((short) 0x0008)
        .putShort((short) 0x103E).put("LO".getBytes(StandardCharsets.US_ASCII)).putShort((short) 40_000).array());
    out.writeBytes("abcd".getBytes(StandardCharsets.US_ASCII));
    refused(out.toByteArray(), 1_000_000, "truncated DICOM", "(0008,103E)");
  }

  @Test
  void aTinyFileDeclaringAHugeImageIsRefusedBeforeAnyAllocation() {
    byte[] data = dicom(46340, 46340, 1, new short[16], null, null);   // 400-odd bytes declaring 2.1 G pixels
    assertThat(data.length).isLessThan(500);
    refused(data, ImageDecoder.DEFAULT_MAX_PIXELS, "46340 x 46340", "above the limit");
  }

  @Test
  void rowsAndColumnsOf65535AreRefusedEvenUnderAHighPixelLimit() {
    refused(dicom(65535, 65535, 1, new short[16], null, null), Long.MAX_VALUE, "too large");
  }

  @Test
  void truncatedPixelDataIsRefusedNotZeroPadded() {
    byte[] whole = dicom(16, 16, 1, ramp(256, 1), null, null);
    byte[] fewerPixels = dicom(16, 16, 1, ramp(100, 1), null, null);   // the pixel element holds 200 of 512 bytes
    refused(fewerPixels, 1_000_000, "truncated DICOM", "pixel data holds 200 bytes", "need 512");
    refused(Arrays.copyOf(whole, whole.length - 10), 1_000_000, "truncated DICOM");
  }

  @Test
  void compressedTransferSyntaxesAreRefusedByName() {
    for (String syntax : new String[] {"1.2.840.10008.1.2.4.90", "1.2.840.10008.1.2.4.80", "1.2.840.10008.1.2.5"}) {
      ByteArrayOutputStream out = header(syntax);   // JPEG 2000, JPEG-LS, RLE
      element(out, 0x0028, 0x0010, "US", u16(16));
      element(out, 0x0028, 0x0011, "US", u16(16));
      element(out, 0x7FE0, 0x0010, "OB", new byte[64]);
      refused(out.toByteArray(), 1_000_000, syntax, "not supported");
    }
    // JPEG Baseline is read, but only encapsulated
    ByteArrayOutputStream out = header("1.2.840.10008.1.2.4.50");
    element(out, 0x0028, 0x0010, "US", u16(16));
    element(out, 0x0028, 0x0011, "US", u16(16));
    element(out, 0x7FE0, 0x0010, "OB", new byte[64]);
    refused(out.toByteArray(), 1_000_000, "1.2.840.10008.1.2.4.50", "not encapsulated");
  }

  @Test
  void aSequenceWithoutItsDelimiterIsRefused() {
    ByteArrayOutputStream out = header("1.2.840.10008.1.2.1");
    // (0008,1140) SQ of undefined length whose item never ends
    out.writeBytes(ByteBuffer.allocate(12).order(ByteOrder.LITTLE_ENDIAN).putShort((short) 0x0008)
        .putShort((short) 0x1140).put("SQ".getBytes(StandardCharsets.US_ASCII)).putShort((short) 0).putInt(-1).array());
    out.writeBytes(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putShort((short) 0xFFFE)
        .putShort((short) 0xE000).putInt(-1).array());
    element(out, 0x0008, 0x1150, "UI", text("1.2.3"));
    refused(out.toByteArray(), 1_000_000, "truncated DICOM");
  }

  @Test
  void aWindowCenterOfNaNFallsBackToTheFramesOwnRange() throws Exception {
    DecodedImage image = new DicomReader(1_000_000).read(dicom(16, 16, 1, ramp(256, 1), "NaN", "512"), "nan.dcm")
        .get(0);
    for (int y = 0; y < 16; y++) {
      for (int x = 0; x < 16; x++) {
        assertThat(image.grayAt(x, y)).isFinite().isBetween(0f, 255f);
      }
    }
    assertThat(image.grayAt(15, 15)).isEqualTo(255f);
  }

  /**
   * An implicit VR file whose private element's length, 16708 = 0x4144, spells "DA" in its low bytes, and whose
   * value holds explicit VR elements of another image. Every reader shows the flat gray field; one that guessed
   * the VR per element read the length as 0 and then the hidden image.
   */
  @Test
  void anImplicitVrFileShowsItsOwnImageNotOneHiddenInAPrivateElement() throws Exception {
    ByteArrayOutputStream hidden = new ByteArrayOutputStream();
    element(hidden, 0x0028, 0x0010, "US", u16(16));
    element(hidden, 0x0028, 0x0011, "US", u16(16));
    element(hidden, 0x0028, 0x0100, "US", u16(8));
    byte[] square = new byte[256];
    for (int i = 0; i < 256; i++) {
      square[i] = (byte) ((i / 16) >= 4 && (i / 16) < 12 && (i % 16) >= 4 && (i % 16) < 12 ? 250 : 10);
    }
    element(hidden, 0x7FE0, 0x0010, "OB", square);
    byte[] privateValue = Arrays.copyOf(hidden.toByteArray(), 0x4144);
    byte[] flat = new byte[256];
    Arrays.fill(flat, (byte) 100);
    DicomFrames frames = new DicomReader(1_000_000).frames(DicomFiles.implicitDicom(16, 16, flat, privateValue),
        "flat.dcm");
    assertThat(frames.storedValues(0)).containsOnly(100L);
  }

  /** Valid implicit VR files whose lengths spell a VR ("OB" = 0x424F, "US" = 0x5355) are read, not refused. */
  @Test
  void anImplicitVrLengthThatSpellsAVrIsALength() throws Exception {
    for (int length : new int[] {0x424F, 0x5355}) {
      byte[] pixels = new byte[16 * 16];
      Arrays.fill(pixels, (byte) 7);
      byte[] data = DicomFiles.implicitDicom(16, 16, pixels, new byte[length]);
      assertThat(new DicomReader(1_000_000).frames(data, "spelled.dcm").storedValues(0)).as("length %d", length)
          .containsOnly(7L);
    }
  }

  /** What most writers produce: a sequence and its item, both of defined length. */
  @Test
  void aSequenceItemOfDefinedLengthEndsAtItsLength() throws Exception {
    ByteArrayOutputStream item = new ByteArrayOutputStream();
    element(item, 0x0008, 0x1150, "UI", text("1.2.3"));
    byte[] itemValue = item.toByteArray();
    ByteArrayOutputStream out = header("1.2.840.10008.1.2.1");
    out.writeBytes(ByteBuffer.allocate(12).order(ByteOrder.LITTLE_ENDIAN).putShort((short) 0x0008)
        .putShort((short) 0x1140).put("SQ".getBytes(StandardCharsets.US_ASCII)).putShort((short) 0)
        .putInt(8 + itemValue.length).array());
    out.writeBytes(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putShort((short) 0xFFFE)
        .putShort((short) 0xE000).putInt(itemValue.length).array());
    out.writeBytes(itemValue);
    byte[] image = dicom(16, 16, 1, ramp(256, 1), null, null);
    byte[] prefix = header("1.2.840.10008.1.2.1").toByteArray();
    out.writeBytes(Arrays.copyOfRange(image, prefix.length, image.length));   // the image's own elements
    assertThat(new DicomReader(1_000_000).read(out.toByteArray(), "sequence.dcm")).hasSize(1);
  }

  @Test
  void anExplicitVrElementWithoutAVrIsRefusedNotGuessed() {
    ByteArrayOutputStream out = header("1.2.840.10008.1.2.1");
    DicomFiles.implicitElement(out, 0x0028, 0x0010, u16(16));   // no VR although the syntax says explicit
    refused(out.toByteArray(), 1_000_000, "(0028,0010)", "not a DICOM VR");
  }

  /** 20 KB of 1 x 1 frames asked for 10,000 segmentations; refused from the header. */
  @Test
  void aSmallFileOfManyTinyFramesIsRefusedFromTheHeader() {
    byte[] data = dicom(1, 1, 10_000, new short[10_000], null, null);
    assertThat(data.length).isLessThan(21_000);
    refused(data, ImageDecoder.DEFAULT_MAX_PIXELS, "1 x 1 pixels", "smaller than the 16 x 16");
  }

  @Test
  void moreFramesThanTheLimitAreRefusedWhetherDeclaredOrOnlyPresent() {
    refused(dicom(16, 16, 1001, new short[256 * 1001], null, null), ImageDecoder.DEFAULT_MAX_PIXELS, "1001 frames",
        "above the limit of 1000 frames");
    // no Number of Frames, pixel data for 1001 frames: counted as pydicom reads them, all whole frames
    byte[] undeclared = DicomFiles.dicomWith(16, 16, 1, 8, 8, 0, "MONOCHROME2", 0, new byte[256 * 1001], null, null);
    refused(undeclared, ImageDecoder.DEFAULT_MAX_PIXELS, "1001 frames", "absent", "above the limit of 1000 frames");
  }

  @Test
  void wholeFramesBeyondNumberOfFramesAreReadAsPydicomReadsThem() throws Exception {
    byte[] pixels = new byte[256 * 3 + 100];   // three whole frames and part of a fourth
    for (int i = 0; i < pixels.length; i++) {
      pixels[i] = (byte) (i / 256 * 50);
    }
    byte[] data = DicomFiles.dicomWith(16, 16, 1, 8, 8, 0, "MONOCHROME2", 0, pixels, null, null);
    DicomFrames frames = new DicomReader(1_000_000).frames(data, "excess.dcm");
    assertThat(frames.count()).isEqualTo(3);
    assertThat(frames.storedValues(2)).containsOnly(100L);
    assertThat(new DicomReader(1_000_000).read(data, "excess.dcm")).hasSize(3);
  }

  @Test
  void aRescaleThatOverflowsIsRefusedNamingTheFileAndTheTag() {
    byte[] pixels = new byte[512];
    for (int i = 0; i < pixels.length; i += 2) {
      pixels[i] = (byte) i;
    }
    byte[] data = DicomFiles.dicomWith(16, 16, 1, 16, 16, 0, "MONOCHROME2", 0, pixels, "1e308", "0");
    refused(data, 1_000_000, "Rescale Slope", "(0028,1053", "expected finite values");
    // every value finite (-1.5e308 and 1.5e308), but their range is not
    byte[] wide = DicomFiles.dicomWith(16, 16, 1, 16, 16, 1, "MONOCHROME2", 0, pm1(), "1.5e308", "0");
    refused(wide, 1_000_000, "(0028,1053", "range beyond the largest number");
  }

  @Test
  void aWindowThatOverflowsIsRefusedNamingTheTag() {
    refused(dicom(16, 16, 1, ramp(256, 1), "1.7e308", "1e308"), 1_000_000, "Window Center / Width", "(0028,1050");
  }

  /** 256 signed 16-bit values alternating -1 and 1. */
  private static byte[] pm1() {
    ByteBuffer b = ByteBuffer.allocate(512).order(ByteOrder.LITTLE_ENDIAN);
    for (int i = 0; i < 256; i++) {
      b.putShort((short) (i % 2 == 0 ? -1 : 1));
    }
    return b.array();
  }

  @Test
  @EnabledOnOs(OS.LINUX)
  void aFifoIsRefusedWithoutBlocking() throws Exception {
    Path fifo = tmp.resolve("pipe.png");
    Process mkfifo = new ProcessBuilder("mkfifo", fifo.toString()).start();
    assertThat(mkfifo.waitFor()).isZero();
    assertTimeoutPreemptively(QUICKLY, () -> {
      assertThatThrownBy(() -> new ImageDecoder().decode(fifo)).isInstanceOf(InvalidImageException.class)
          .hasMessageContaining("not a regular file");
      assertThatThrownBy(() -> new ImageDecoder().decodeFrames(fifo)).isInstanceOf(InvalidImageException.class);
    });
  }

  @Test
  @EnabledOnOs(OS.LINUX)
  void aDeviceThatNeverEndsIsRefused() {
    assertTimeoutPreemptively(QUICKLY, () -> assertThatThrownBy(() -> new ImageDecoder().decode(Path.of("/dev/zero")))
        .isInstanceOf(InvalidImageException.class).hasMessageContaining("not a regular file"));
  }

  @Test
  void aFileLargerThanAnyImageWithinTheLimitIsRefusedUnread() throws Exception {
    Path sparse = tmp.resolve("huge.png");
    try (RandomAccessFile f = new RandomAccessFile(sparse.toFile(), "rw")) {
      f.setLength(ImageFiles.maxFileBytes(1000) + 1);   // sparse: no disk used
    }
    assertTimeoutPreemptively(QUICKLY, () -> assertThatThrownBy(() -> new ImageDecoder(1000).decode(sparse))
        .isInstanceOf(InvalidImageException.class).hasMessageContaining("larger than any image"));
  }
}
