package org.pgdiffseg.sdk.imaging;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pgdiffseg.sdk.InvalidImageException;

/** DICOM files written here, explicit VR little endian, 16-bit MONOCHROME2, one or several frames. */
class DicomReaderTest {
  // Files are written by DicomFiles (shared with other test modules through the test-jar).
  @TempDir Path tmp;

  @Test
  void readsASingleFrameThroughTheImageDecoderUsingTheFileWindow() throws Exception {
    Path file = tmp.resolve("us.dcm");
    Files.write(file, DicomFiles.dicom(16, 24, 1, DicomFiles.ramp(384, 1), "256", "512"));
    DecodedImage image = new ImageDecoder().decode(file);
    assertThat(image.format()).isEqualTo(ImageFormat.DICOM);
    assertThat(image.width()).isEqualTo(24);
    assertThat(image.height()).isEqualTo(16);
    // window [0, 512] -> 0..255: pixel 127 (column 7 of row 5) holds 508
    assertThat(image.grayAt(7, 5)).isCloseTo(508 * 255f / 512, org.assertj.core.data.Offset.offset(1e-3f));
    assertThat(image.grayAt(8, 5)).isEqualTo(255f);
    assertThat(image.grayAt(0, 0)).isZero();
  }

  @Test
  void readsEveryFrameOfAMultiFrameFileWithEachFramesOwnRange() throws Exception {
    Path file = tmp.resolve("mri.dcm");
    Files.write(file, DicomFiles.dicom(16, 16, 3, DicomFiles.ramp(256, 3), null, null));
    List<DecodedImage> frames = new DicomReader(1_000_000).read(file);
    assertThat(frames).hasSize(3);
    assertThat(frames.get(2).name()).endsWith("#frame3");
    assertThat(frames.get(1).grayAt(0, 0)).isZero();
    assertThat(frames.get(1).grayAt(15, 15)).isCloseTo(255f, org.assertj.core.data.Offset.offset(1e-3f));
    assertThatThrownBy(() -> new ImageDecoder().decode(file)).isInstanceOf(InvalidImageException.class)
        .hasMessageContaining("3 frames");
  }

  @Test
  void refusesADicomWithoutPixelData() throws Exception {
    Path file = tmp.resolve("nopixels.dcm");
    Files.write(file, DicomFiles.dicom(16, 16, 1, null, null, null));
    assertThatThrownBy(() -> new ImageDecoder().decode(file)).isInstanceOf(InvalidImageException.class)
        .hasMessageContaining("nopixels.dcm").hasMessageContaining("pixel data");
  }

  @Test
  void refusesFramesOverThePixelLimit() {
    byte[] data = DicomFiles.dicom(16, 16, 2, DicomFiles.ramp(256, 2), null, null);
    assertThatThrownBy(() -> new DicomReader(300).read(data, "big.dcm")).isInstanceOf(InvalidImageException.class)
        .hasMessageContaining("above the limit of 300");
  }

  private static byte[] le16(int... values) {
    java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(values.length * 2).order(java.nio.ByteOrder.LITTLE_ENDIAN);
    for (int v : values) {
      b.putShort((short) v);
    }
    return b.array();
  }

  private static float[] gray(byte[] dicom) throws Exception {
    // these files are a few pixels, on purpose: the reader's minimum frame side is lowered to 1
    DecodedImage image = new DicomReader(1_000_000, 1000, 1).read(dicom, "t.dcm").get(0);
    float[] g = new float[image.width() * image.height()];
    for (int i = 0; i < g.length; i++) {
      g[i] = image.grayAt(i % image.width(), i / image.width());
    }
    return g;
  }

  @Test
  void signedValuesGoThroughRescaleBeforeTheFramesRange() throws Exception {
    // -1000, 0, 1000, 3000 stored signed; slope 0.5, intercept 100 -> -400, 100, 600, 1600 over a range of 2000
    float[] g = gray(DicomFiles.dicomWith(2, 2, 1, 16, 16, 1, "MONOCHROME2", 0, le16(-1000, 0, 1000, 3000), "0.5", "100"));
    assertThat(g).containsExactly(0f, 63.75f, 127.5f, 255f);
  }

  @Test
  void onlyTheBitsStoredCountAndSignExtend() throws Exception {
    // 12 bits stored, signed: 0xF000 overlay bits above are ignored, 0x0800 is -2048, 0x07FF is 2047
    float[] g = gray(DicomFiles.dicomWith(1, 3, 1, 16, 12, 1, "MONOCHROME2", 0, le16(0xF800, 0x0000, 0xF7FF), null, null));
    assertThat(g[0]).isZero();
    assertThat(g[2]).isEqualTo(255f);
    assertThat(g[1]).isCloseTo(2048 * 255f / 4095, org.assertj.core.data.Offset.offset(1e-3f));
  }

  @Test
  void monochrome1IsInvertedSoBrightMeansTheSame() throws Exception {
    float[] g = gray(DicomFiles.dicomWith(1, 2, 1, 8, 8, 0, "MONOCHROME1", 0, new byte[] {0, (byte) 200}, null, null));
    assertThat(g).containsExactly(255f, 0f);
  }

  @Test
  void rgbBecomesGrayWithTheLumaOfColourPngsInterleavedOrPlanar() throws Exception {
    byte[] interleaved = {(byte) 255, 0, 0, 0, (byte) 255, 0, 0, 0, (byte) 255, 0, 0, 0};
    byte[] planar = {(byte) 255, 0, 0, 0, 0, (byte) 255, 0, 0, 0, 0, (byte) 255, 0};
    float[] a = gray(DicomFiles.dicomWith(2, 2, 3, 8, 8, 0, "RGB", 0, interleaved, null, null));
    float[] b = gray(DicomFiles.dicomWith(2, 2, 3, 8, 8, 0, "RGB", 1, planar, null, null));
    assertThat(b).containsExactly(a);
    // red 0.299, green 0.587, blue 0.114, black 0, then stretched over the frame's range 0 .. 0.587 * 255
    assertThat(a[1]).isEqualTo(255f);
    assertThat(a[0]).isCloseTo(0.299f / 0.587f * 255, org.assertj.core.data.Offset.offset(1e-3f));
    assertThat(a[3]).isZero();
  }

  /** Ultrasound scanners write YBR_FULL_422: Y0 Y1 Cb Cr for each two pixels; each pixel keeps its own Y. */
  @Test
  void ybrFull422KeepsEachPixelsOwnLuma() throws Exception {
    byte[] pixels = {10, 20, (byte) 128, (byte) 128, 30, 40, (byte) 200, 0};
    byte[] data = DicomFiles.dicomWith(2, 2, 3, 8, 8, 0, "YBR_FULL_422", 0, pixels, null, null);
    DicomFrames frames = new DicomReader(1_000_000, 1000, 1).frames(data, "us.dcm");
    assertThat(frames.storedValues(0)).containsExactly(10, 128, 128, 20, 128, 128, 30, 200, 0, 40, 200, 0);
    assertThat(frames.modalityValues(0)).containsExactly(10, 20, 30, 40);
    assertThat(gray(data)).containsExactly(0f, 85f, 170f, 255f);
    byte[] oddColumns = DicomFiles.dicomWith(1, 3, 3, 8, 8, 0, "YBR_FULL_422", 0, new byte[6], null, null);
    assertThatThrownBy(() -> gray(oddColumns)).isInstanceOf(InvalidImageException.class)
        .hasMessageContaining("even number of Columns");
    // as long as YBR_FULL would be: mislabelled, refused as pydicom refuses it
    byte[] full = DicomFiles.dicomWith(2, 2, 3, 8, 8, 0, "YBR_FULL_422", 0, new byte[12], null, null);
    assertThatThrownBy(() -> gray(full)).isInstanceOf(InvalidImageException.class)
        .hasMessageContaining("(0028,0004) is likely wrong");
  }

  /** A colour JPEG whose pixels vary in both directions, so that its luma is no constant. */
  private static byte[] colourJpeg(int width, int height, int seed) {
    try (org.bytedeco.opencv.opencv_core.Mat image = new org.bytedeco.opencv.opencv_core.Mat(height, width,
        org.bytedeco.opencv.global.opencv_core.CV_8UC3);
        org.bytedeco.javacpp.BytePointer buffer = new org.bytedeco.javacpp.BytePointer()) {
      java.nio.ByteBuffer pixels = image.createBuffer();
      for (int i = 0; i < width * height * 3; i++) {
        pixels.put(i, (byte) Math.min(255, (i / 3 % width) * 3 + (i / 3 / width) * 2 + (i % 3) * 40 + seed));
      }
      assertThat(org.bytedeco.opencv.global.opencv_imgcodecs.imencode(".jpg", image, buffer)).isTrue();
      byte[] bytes = new byte[(int) buffer.limit()];
      buffer.get(bytes);
      return bytes;
    }
  }

  @Test
  void jpegBaselineFramesAreDecodedToTheLumaOfTheirJpeg() throws Exception {
    byte[] first = colourJpeg(32, 24, 0);
    byte[] second = colourJpeg(32, 24, 30);
    byte[] data = DicomFiles.jpegDicom(24, 32, 3, "YBR_FULL_422", 2, List.of(first, second));
    DicomFrames frames = new DicomReader(1_000_000).frames(data, "us.dcm");
    assertThat(frames.count()).isEqualTo(2);
    for (int f = 0; f < 2; f++) {
      // the same JPEG decoded to gray by OpenCV on its own, as a .jpg file is: libjpeg's luma
      float[] expected = new ImageDecoder().decode(f == 0 ? first : second, "frame.jpg").grayCopy();
      long[] stored = frames.storedValues(f);
      assertThat(stored).hasSize(expected.length);
      for (int i = 0; i < stored.length; i++) {
        assertThat((double) stored[i]).as("frame %d pixel %d", f, i).isCloseTo(expected[i],
            org.assertj.core.data.Offset.offset(2.0));
      }
    }
    assertThat(new ImageDecoder().decodeFrames(data, "us.dcm")).hasSize(2);
    // one JPEG in two fragments is one frame
    byte[] split = DicomFiles.jpegDicom(24, 32, 3, "YBR_FULL_422", 1,
        List.of(java.util.Arrays.copyOf(first, 100), java.util.Arrays.copyOfRange(first, 100, first.length)));
    assertThat(new DicomReader(1_000_000).frames(split, "split.dcm").storedValues(0))
        .containsExactly(frames.storedValues(0));
  }

  @Test
  void aJpegFrameOfAnotherSizeThanTheHeaderIsRefusedBeforeDecoding() {
    byte[] data = DicomFiles.jpegDicom(16, 16, 3, "YBR_FULL_422", 1, List.of(colourJpeg(640, 480, 0)));
    assertThatThrownBy(() -> new DicomReader(1_000_000).read(data, "us.dcm")).isInstanceOf(InvalidImageException.class)
        .hasMessageContaining("us.dcm frame 1").hasMessageContaining("the JPEG is 640 x 480 pixels");
    byte[] fewer = DicomFiles.jpegDicom(24, 32, 3, "YBR_FULL_422", 3, List.of(colourJpeg(32, 24, 0)));
    assertThatThrownBy(() -> new DicomReader(1_000_000).read(fewer, "us.dcm")).isInstanceOf(InvalidImageException.class)
        .hasMessageContaining("1 fragments for 3 frames");
  }

  @Test
  void refusesWhatItCannotShowFaithfully() {
    assertThatThrownBy(() -> gray(DicomFiles.dicomWith(1, 1, 1, 8, 8, 0, "PALETTE COLOR", 0, new byte[] {1, 0}, null,
            null)))
        .isInstanceOf(InvalidImageException.class).hasMessageContaining("PALETTE COLOR");
    assertThatThrownBy(() -> gray(DicomFiles.dicomWith(1, 1, 1, 16, 16, 0, "MONOCHROME2", 0, le16(5), "0", null)))
        .isInstanceOf(InvalidImageException.class).hasMessageContaining("Rescale Slope");
    assertThatThrownBy(() -> gray(DicomFiles.dicomWith(1, 1, 1, 12, 12, 0, "MONOCHROME2", 0, le16(5), null, null)))
        .isInstanceOf(InvalidImageException.class).hasMessageContaining("12 bits allocated");
  }
}
