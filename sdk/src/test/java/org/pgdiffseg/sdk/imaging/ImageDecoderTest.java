package org.pgdiffseg.sdk.imaging;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;
import static org.bytedeco.opencv.global.opencv_core.CV_16UC1;
import static org.bytedeco.opencv.global.opencv_core.CV_32FC1;
import static org.bytedeco.opencv.global.opencv_core.CV_8UC1;
import static org.bytedeco.opencv.global.opencv_core.CV_8UC3;
import static org.bytedeco.opencv.global.opencv_imgcodecs.imencode;
import static org.bytedeco.opencv.global.opencv_imgcodecs.imwritemulti;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ShortBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Arrays;
import java.util.zip.CRC32;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.opencv.opencv_core.Mat;
import org.bytedeco.opencv.opencv_core.MatVector;
import org.bytedeco.opencv.opencv_core.Scalar;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pgdiffseg.sdk.InvalidImageException;

class ImageDecoderTest {
  @TempDir Path dir;
  private final ImageDecoder decoder = new ImageDecoder();

  @Test
  void emptyFileIsRefused() throws Exception {
    Path file = write("empty.png", new byte[0]);
    assertRefused(file, "empty file");
  }

  @Test
  void textFileNamedPngIsRefused() throws Exception {
    Path file = write("notes.png", "just some text\n".getBytes(StandardCharsets.US_ASCII));
    assertRefused(file, "not a PNG, JPEG, BMP or TIFF file");
  }

  @Test
  void truncatedPngIsRefused() throws Exception {
    byte[] png = encode(".png", 40, 30, CV_8UC1);
    assertRefused(write("half.png", Arrays.copyOf(png, png.length / 2)), "truncated PNG");
    assertRefused(write("no_iend.png", Arrays.copyOf(png, png.length - 12)), "truncated PNG");
  }

  @Test
  void truncatedJpegIsRefused() throws Exception {
    byte[] jpeg = encode(".jpg", 40, 30, CV_8UC3);
    assertRefused(write("half.jpg", Arrays.copyOf(jpeg, jpeg.length / 2)), "truncated JPEG");
    assertRefused(write("no_eoi.jpg", Arrays.copyOf(jpeg, jpeg.length - 2)), "truncated JPEG");
  }

  @Test
  void truncatedBmpAndTiffAreRefused() throws Exception {
    byte[] bmp = encode(".bmp", 40, 30, CV_8UC3);
    assertRefused(write("half.bmp", Arrays.copyOf(bmp, bmp.length / 2)), "truncated BMP");
    byte[] tiff = encode(".tiff", 40, 30, CV_8UC1);
    assertRefused(write("head.tiff", Arrays.copyOf(tiff, 8)), "truncated TIFF");
  }

  @Test
  void zeroWidthOrHeightIsRefused() throws Exception {
    assertRefused(write("zero_width.png", png(0, 10)), "0 x 10");
    assertRefused(write("zero_height.png", png(10, 0)), "10 x 0");
  }

  @Test
  void imageAboveThePixelLimitIsRefusedFromItsHeader() throws Exception {
    // 100000 x 100000 declared, a few bytes of pixel data: decoding would be a decompression bomb.
    Path bomb = write("bomb.png", png(100_000, 100_000));
    assertThatThrownBy(() -> decoder.decode(bomb))
        .isInstanceOf(InvalidImageException.class)
        .hasMessageContaining(bomb.toString())
        .hasMessageContaining("100000 x 100000 = 10000000000 pixels")
        .hasMessageContaining("limit of 64000000 pixels");
  }

  @Test
  void pixelLimitIsConfigurable() throws Exception {
    Path file = write("small.png", encode(".png", 40, 30, CV_8UC1));
    assertThat(new ImageDecoder(1200).decode(file).width()).isEqualTo(40);
    assertThatThrownBy(() -> new ImageDecoder(1199).decode(file))
        .isInstanceOf(InvalidImageException.class)
        .hasMessageContaining("limit of 1199 pixels");
  }

  @Test
  void missingFileIsRefused() {
    assertRefused(dir.resolve("missing.png"), "no such file");
  }

  @Test
  void pathThroughAFileIsRefused() throws Exception {
    Path file = write("plain.png", encode(".png", 4, 4, CV_8UC1));
    assertRefused(file.resolve("inner.png"), "no such file");
  }

  @Test
  void unreadableFileIsRefused() throws Exception {
    Path file = write("locked.png", encode(".png", 4, 4, CV_8UC1));
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("---------"));
    assumeFalse(Files.isReadable(file), "running with privileges that read any file (e.g. root)");
    assertRefused(file, "permission denied");
  }

  @Test
  void directoryIsRefused() throws Exception {
    Path folder = Files.createDirectory(dir.resolve("folder.png"));
    assertRefused(folder, "is a directory");
  }

  @Test
  void multiPageTiffIsRefused() throws Exception {
    Path file = dir.resolve("pages.tiff");
    try (Mat page = new Mat(30, 40, CV_8UC1, new Scalar(100.0));
        MatVector pages = new MatVector(page, page, page);
        BytePointer path = new BytePointer(file.toString())) {
      assertThat(imwritemulti(path, pages)).isTrue();
    }
    assertRefused(file, "multi-page TIFF with 3 pages");
  }

  @Test
  void floatTiffIsRefused() throws Exception {
    Path file = write("float.tiff", encode(".tiff", 40, 30, CV_32FC1));
    assertRefused(file, "floating-point samples are not supported");
  }

  @Test
  void sixteenBitIsScaledBy257() throws Exception {
    byte[] png;
    try (Mat image = new Mat(1, 3, CV_16UC1)) {
      ShortBuffer samples = image.createBuffer();
      samples.put(0, (short) 0).put(1, (short) 257).put(2, (short) 65535);
      png = encode(".png", image);
    }
    DecodedImage decoded = decoder.decode(png, "ramp16.png");
    assertThat(decoded.sourceBitDepth()).isEqualTo(16);
    assertThat(decoded.grayCopy()).containsExactly(0f, 1f, 255f);
  }

  @Test
  void colourIsConvertedWithOpenCvLuma() throws Exception {
    byte[] png;
    try (Mat image = new Mat(1, 1, CV_8UC3, new Scalar(10, 20, 200, 0))) { // B, G, R
      png = encode(".png", image);
    }
    DecodedImage decoded = decoder.decode(png, "red.png");
    assertThat(decoded.sourceChannels()).isEqualTo(3);
    // 0.299 R + 0.587 G + 0.114 B = 72.68, rounded by OpenCV's fixed-point uint8 conversion.
    assertThat(decoded.grayAt(0, 0)).isCloseTo(73f, within(0f));
  }

  @Test
  void bytesAreDecodedWithTheGivenNameInMessages() throws Exception {
    assertThatThrownBy(() -> decoder.decode(new byte[] {1, 2, 3}, "upload-7"))
        .isInstanceOf(InvalidImageException.class)
        .hasMessageStartingWith("upload-7: not a PNG");
  }

  private void assertRefused(Path file, String problem) {
    assertThatThrownBy(() -> decoder.decode(file))
        .isInstanceOf(InvalidImageException.class)
        .hasMessageContaining(file.toString())
        .hasMessageContaining(problem);
  }

  /** A PNG's own metadata may put "DICM" at byte 128; the PNG signature at byte 0 decides, everywhere. */
  @Test
  void aValidPngWithDicmAtByte128IsDecodedAsPng() throws Exception {
    byte[] plain = encode(".png", 40, 30, CV_8UC1);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.write(plain, 0, 33);   // signature and IHDR
    byte[] comment = ("Comment\0" + "x".repeat(79) + "DICM and more text").getBytes(StandardCharsets.ISO_8859_1);
    chunk(out, "tEXt", comment);   // its text starts at byte 49, so "DICM" lands at 128
    out.write(plain, 33, plain.length - 33);
    byte[] tricky = out.toByteArray();
    assertThat(new String(tricky, 128, 4, StandardCharsets.ISO_8859_1)).isEqualTo("DICM");
    Path file = write("tricky.png", tricky);
    DecodedImage expected = decoder.decode(plain, "plain.png");
    DecodedImage decoded = decoder.decode(file);
    assertThat(decoded.format()).isEqualTo(ImageFormat.PNG);
    assertThat(decoded.grayCopy()).containsExactly(expected.grayCopy());
    assertThat(decoder.decodeFrames(file)).singleElement()
        .satisfies(d -> assertThat(d.format()).isEqualTo(ImageFormat.PNG));
    assertThat(FormatSniffer.detect(tricky, "tricky.dcm")).contains(ImageFormat.PNG);
  }

  private Path write(String name, byte[] data) throws Exception {
    return Files.write(dir.resolve(name), data);
  }

  private static byte[] encode(String extension, int width, int height, int type) {
    try (Mat image = new Mat(height, width, type, new Scalar(90, 120, 150, 0))) {
      return encode(extension, image);
    }
  }

  private static byte[] encode(String extension, Mat image) {
    try (BytePointer buffer = new BytePointer()) {
      assertThat(imencode(extension, image, buffer)).isTrue();
      byte[] bytes = new byte[(int) buffer.limit()];
      buffer.get(bytes);
      return bytes;
    }
  }

  /** A structurally complete 8-bit gray PNG that declares {@code width x height} but holds one row of data. */
  private static byte[] png(int width, int height) throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.write(new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'});
    ByteBuffer ihdr = ByteBuffer.allocate(13).putInt(width).putInt(height).put((byte) 8).put((byte) 0)
        .put((byte) 0).put((byte) 0).put((byte) 0);
    chunk(out, "IHDR", ihdr.array());
    chunk(out, "IDAT", new byte[] {0x78, (byte) 0x9c, 0x63, 0x00, 0x00, 0x00, 0x01, 0x00, 0x01});
    chunk(out, "IEND", new byte[0]);
    return out.toByteArray();
  }

  private static void chunk(ByteArrayOutputStream out, String type, byte[] data) throws Exception {
    byte[] typeBytes = type.getBytes(StandardCharsets.US_ASCII);
    out.write(ByteBuffer.allocate(4).putInt(data.length).array());
    out.write(typeBytes);
    out.write(data);
    CRC32 crc = new CRC32();
    crc.update(typeBytes);
    crc.update(data);
    out.write(ByteBuffer.allocate(4).putInt((int) crc.getValue()).array());
  }
}
