package org.pgdiffseg.sdk.imaging;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * A lesion mask, row-major {@code [height, width]}, one byte per pixel: 0 background, 255 (byte {@code -1})
 * lesion. Immutable: the constructor and {@link #pixels()} copy the array. Thread-safe.
 */
public record BinaryMask(int width, int height, byte[] pixels) {

  public BinaryMask {
    checkArgument(width > 0 && height > 0, "size must be positive, got %s x %s", width, height);
    checkNotNull(pixels, "pixels");
    checkArgument(
        pixels.length == (long) width * height,
        "pixels has %s values, expected %s x %s", pixels.length, width, height);
    pixels = pixels.clone();
    for (int i = 0; i < pixels.length; i++) {
      checkArgument(pixels[i] == 0 || pixels[i] == (byte) 255, "pixel %s is %s, expected 0 or 255",
          i, pixels[i] & 0xFF);
    }
  }

  /** A mask with no lesion pixels. */
  public static BinaryMask empty(int width, int height) {
    return new BinaryMask(width, height, new byte[width * height]);
  }

  /** A copy of the 0/255 pixels. */
  @Override
  public byte[] pixels() {
    return pixels.clone();
  }

  /** Value (0 or 255) at column {@code x}, row {@code y}. */
  public int valueAt(int x, int y) {
    checkArgument(x >= 0 && x < width && y >= 0 && y < height, "(%s, %s) outside %s x %s", x, y, width, height);
    return pixels[y * width + x] & 0xFF;
  }

  /** Number of lesion (255) pixels. */
  public long lesionPixels() {
    long count = 0;
    for (byte p : pixels) {
      if (p != 0) {
        count++;
      }
    }
    return count;
  }

  /** Lesion pixels divided by all pixels, in [0, 1]. */
  public double lesionFraction() {
    return (double) lesionPixels() / pixels.length;
  }

  public boolean isEmpty() {
    return lesionPixels() == 0;
  }

  /** Writes the mask as an 8-bit gray PNG (0/255). */
  public void writePng(Path file) throws IOException {
    ImageWriter.writeGrayPng(file, pixels, width, height);
  }

  /** Package-private access without a copy. */
  byte[] pixelArray() {
    return pixels;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof BinaryMask m && m.width == width && m.height == height && Arrays.equals(m.pixels, pixels);
  }

  @Override
  public int hashCode() {
    return 31 * (31 * width + height) + Arrays.hashCode(pixels);
  }

  @Override
  public String toString() {
    return "BinaryMask[" + width + " x " + height + ", " + lesionPixels() + " lesion pixels]";
  }
}
