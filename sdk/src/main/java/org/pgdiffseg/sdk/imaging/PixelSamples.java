package org.pgdiffseg.sdk.imaging;

import org.pgdiffseg.sdk.InvalidImageException;

/**
 * Reads the stored samples of uncompressed DICOM pixel data in place: the file's byte order, only the Bits
 * Stored counted, sign-extended when Pixel Representation is 1; colour interleaved or planar.
 */
final class PixelSamples {
  private final byte[] d;
  private final int base;
  private final int bytes;
  private final boolean bigEndian;
  private final int bitsStored;
  private final boolean signed;
  private final int pixels;
  private final int samplesPerPixel;
  private final boolean planar;
  private final boolean rgb;
  private final boolean subsampled;

  private PixelSamples(DicomHeader h, byte[] d, boolean rgb) {
    this.d = d;
    this.base = h.pixelDataOffset();
    this.bytes = h.bitsAllocated() / 8;
    this.bigEndian = h.bigEndian();
    this.bitsStored = h.bitsStored();
    this.signed = h.signed();
    this.pixels = h.rows() * h.columns();
    this.samplesPerPixel = h.samplesPerPixel();
    this.planar = h.planarConfiguration() == 1;
    this.rgb = rgb;
    this.subsampled = h.chromaSubsampled();
  }

  static PixelSamples of(DicomHeader h, byte[] d, String name) throws InvalidImageException {
    String photometric = h.photometric();
    if (h.samplesPerPixel() == 1) {
      if (!photometric.equals("MONOCHROME1") && !photometric.equals("MONOCHROME2")) {
        throw new InvalidImageException(name + ": DICOM photometric interpretation '" + photometric
            + "' with one sample per pixel is not supported; expected MONOCHROME1 or MONOCHROME2");
      }
      return new PixelSamples(h, d, false);
    }
    if (photometric.equals("RGB")) {
      return new PixelSamples(h, d, true);
    }
    if (photometric.equals("YBR_FULL") || photometric.equals("YBR_FULL_422")) {
      return new PixelSamples(h, d, false);   // Y, the first sample, is the luma
    }
    throw new InvalidImageException(name + ": DICOM photometric interpretation '" + photometric
        + "' with three samples per pixel is not supported; expected RGB, YBR_FULL or YBR_FULL_422");
  }

  /** Sample {@code c} of pixel {@code pixel} of frame {@code frame}. */
  long stored(int frame, int pixel, int c) {
    if (subsampled) {
      // Y0 Y1 Cb Cr for each two pixels of a row; Cb and Cr belong to both
      long pair = (long) frame * pixels / 2 + pixel / 2;
      return at(base + (pair * 4 + (c == 0 ? pixel % 2 : c + 1)) * bytes);
    }
    long frameStart = (long) frame * pixels * samplesPerPixel;
    long index = planar ? frameStart + (long) c * pixels + pixel : frameStart + (long) pixel * samplesPerPixel + c;
    return at(base + index * bytes);
  }

  /** The gray value of a pixel: its one sample, Y of YBR_FULL, or the luma of RGB. */
  double gray(int frame, int pixel) {
    if (!rgb) {
      return stored(frame, pixel, 0);
    }
    // OpenCV's BGR2GRAY weights, so a colour DICOM reads as the same picture saved as a colour PNG would.
    return 0.299 * stored(frame, pixel, 0) + 0.587 * stored(frame, pixel, 1) + 0.114 * stored(frame, pixel, 2);
  }

  private long at(long offset) {
    int at = (int) offset;
    long raw = 0;
    for (int b = 0; b < bytes; b++) {
      int shift = bigEndian ? (bytes - 1 - b) * 8 : b * 8;
      raw |= (long) (d[at + b] & 0xFF) << shift;
    }
    long mask = bitsStored >= 64 ? -1L : (1L << bitsStored) - 1;
    raw &= mask;
    if (signed && (raw & (1L << (bitsStored - 1))) != 0) {
      raw -= 1L << bitsStored;
    }
    return raw;
  }
}
