package org.pgdiffseg.sdk.imaging;

import static com.google.common.base.Preconditions.checkArgument;
import static org.bytedeco.opencv.global.opencv_core.CV_32FC1;
import static org.bytedeco.opencv.global.opencv_core.CV_8U;
import static org.bytedeco.opencv.global.opencv_core.CV_8UC1;
import static org.bytedeco.opencv.global.opencv_imgcodecs.imencode;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.opencv.opencv_core.Mat;

/**
 * PNG encoding of 8-bit gray maps (masks) and float maps (probabilities, intermediate images). Files are
 * written by Java, not OpenCV, so paths with any characters work and failures are {@link IOException}s.
 * Stateless and thread-safe.
 */
public final class ImageWriter {
  private ImageWriter() {}

  /** Encodes an 8-bit gray image, row-major {@code [height, width]}, as PNG. */
  public static byte[] encodeGrayPng(byte[] pixels, int width, int height) {
    checkSize(pixels.length, width, height);
    try (Mat image = new Mat(height, width, CV_8UC1)) {
      ((ByteBuffer) image.createBuffer()).put(0, pixels);
      return encodePng(image);
    }
  }

  /** Writes an 8-bit gray image, row-major {@code [height, width]}, as a PNG file. */
  public static void writeGrayPng(Path file, byte[] pixels, int width, int height) throws IOException {
    Files.write(file, encodeGrayPng(pixels, width, height));
  }

  /**
   * Encodes a float map as an 8-bit gray PNG, mapping {@code low} to 0 and {@code high} to 255 linearly,
   * rounding and saturating outside the range (e.g. a probability map with low 0, high 1; a preprocessed
   * image with low -1, high 1).
   */
  public static byte[] encodeFloatMapPng(float[] map, int width, int height, double low, double high) {
    checkSize(map.length, width, height);
    checkArgument(low < high, "low must be below high, got [%s, %s]", low, high);
    double scale = 255.0 / (high - low);
    try (Mat values = new Mat(height, width, CV_32FC1);
        Mat bytes = new Mat()) {
      ((FloatBuffer) values.createBuffer()).put(0, map);
      values.convertTo(bytes, CV_8U, scale, -low * scale);
      return encodePng(bytes);
    }
  }

  /** Writes {@link #encodeFloatMapPng} to {@code file}. */
  public static void writeFloatMapPng(Path file, float[] map, int width, int height, double low, double high)
      throws IOException {
    Files.write(file, encodeFloatMapPng(map, width, height, low, high));
  }

  /** PNG bytes of an 8-bit image with 1, 3 (BGR) or 4 (BGRA) channels. */
  static byte[] encodePng(Mat image) {
    try (BytePointer buffer = new BytePointer()) {
      if (!imencode(".png", image, buffer)) {
        throw new IllegalStateException("OpenCV could not encode a " + image.cols() + " x " + image.rows()
            + " image with " + image.channels() + " channel(s) as PNG");
      }
      byte[] png = new byte[(int) buffer.limit()];
      buffer.get(png);
      return png;
    }
  }

  private static void checkSize(int length, int width, int height) {
    checkArgument(width > 0 && height > 0, "size must be positive, got %s x %s", width, height);
    checkArgument(length == (long) width * height, "%s values for %s x %s", length, width, height);
  }

}
