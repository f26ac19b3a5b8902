package org.pgdiffseg.sdk.dicom;

import java.util.List;
import org.pgdiffseg.sdk.imaging.BinaryMask;

/**
 * Pixel Data of Bits Allocated 1 (PS3.5 §8.1.1, §8.2): pixel i of all frames together is bit (i mod 8) of byte
 * i / 8, the first pixel in the lowest bit; frames follow each other without padding (a frame may start inside
 * a byte), and only the whole is padded to an even length.
 */
final class BitPacking {
  private BitPacking() {}

  static byte[] pack(List<BinaryMask> frames) {
    long bits = 0;
    for (BinaryMask m : frames) {
      bits += (long) m.width() * m.height();
    }
    long bytes = (bits + 7) / 8;
    if (bytes > Integer.MAX_VALUE - 8) {
      throw new IllegalArgumentException("masks of " + bits + " pixels are too large for one Pixel Data element");
    }
    byte[] packed = new byte[(int) (bytes + bytes % 2)];
    long i = 0;
    for (BinaryMask m : frames) {
      for (byte p : m.pixels()) {
        if (p != 0) {
          packed[(int) (i >>> 3)] |= (byte) (1 << (i & 7));
        }
        i++;
      }
    }
    return packed;
  }
}
