package org.pgdiffseg.sdk.imaging;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Set;
import org.pgdiffseg.sdk.InvalidImageException;

/**
 * Width and height read from a file's own header, so that a decompression bomb is refused before any pixel is
 * decompressed. Parsing also checks the container's structure (PNG chunks up to IEND, JPEG markers up to EOI,
 * BMP pixel-array size, TIFF directory chain), because some decoders quietly return a partial image for a
 * truncated file.
 */
record ImageHeader(ImageFormat format, int width, int height) {

  private static final byte[] PNG_SIGNATURE = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
  /** Bound on TIFF directories walked; a longer chain is certainly malformed or hostile. */
  private static final int MAX_TIFF_DIRECTORIES = 4096;

  static ImageHeader parse(byte[] data, String name) throws InvalidImageException {
    if (data.length == 0) {
      throw new InvalidImageException(name + ": empty file (0 bytes)");
    }
    ImageHeader header;
    if (startsWith(data, PNG_SIGNATURE)) {
      header = parsePng(data, name);
    } else if (data.length >= 3 && u8(data, 0) == 0xFF && u8(data, 1) == 0xD8 && u8(data, 2) == 0xFF) {
      header = parseJpeg(data, name);
    } else if (data.length >= 2 && data[0] == 'B' && data[1] == 'M') {
      header = parseBmp(data, name);
    } else if (data.length >= 4
        && ((data[0] == 'I' && data[1] == 'I') || (data[0] == 'M' && data[1] == 'M'))) {
      header = parseTiff(data, name);
    } else {
      throw new InvalidImageException(
          name + ": not a PNG, JPEG, BMP or TIFF file (starts with " + leadingBytes(data) + ")");
    }
    if (header.width <= 0 || header.height <= 0) {
      throw new InvalidImageException(
          name + ": " + header.format + " header declares an empty image of "
              + header.width + " x " + header.height + " pixels");
    }
    return header;
  }

  long pixels() {
    return (long) width * height;
  }

  private static ImageHeader parsePng(byte[] d, String name) throws InvalidImageException {
    if (d.length < 33 || !new String(d, 12, 4, StandardCharsets.ISO_8859_1).equals("IHDR")) {
      throw new InvalidImageException(name + ": truncated PNG: no complete IHDR chunk");
    }
    long width = u32be(d, 16);
    long height = u32be(d, 20);
    // Walk the chunks: a PNG is complete only when its IEND chunk is present and whole.
    long pos = 8;
    while (true) {
      if (pos + 12 > d.length) {
        throw new InvalidImageException(
            name + ": truncated PNG: file ends at byte " + d.length + " before the IEND chunk");
      }
      long length = u32be(d, (int) pos);
      String type = new String(d, (int) pos + 4, 4, StandardCharsets.ISO_8859_1);
      long next = pos + 12 + length;
      if (next > d.length) {
        throw new InvalidImageException(
            name + ": truncated PNG: chunk " + type + " at byte " + pos + " needs " + (next - d.length)
                + " more bytes than the file has");
      }
      if (type.equals("IEND")) {
        break;
      }
      pos = next;
    }
    return new ImageHeader(ImageFormat.PNG, clampToInt(width), clampToInt(height));
  }

  private static ImageHeader parseJpeg(byte[] d, String name) throws InvalidImageException {
    int pos = 2;
    int width = -1;
    int height = -1;
    while (true) {
      // Fill bytes (0xFF) may precede a marker.
      while (pos < d.length && u8(d, pos) == 0xFF && pos + 1 < d.length && u8(d, pos + 1) == 0xFF) {
        pos++;
      }
      if (pos + 2 > d.length) {
        throw new InvalidImageException(
            name + ": truncated JPEG: file ends at byte " + d.length + " before the end-of-image marker");
      }
      if (u8(d, pos) != 0xFF) {
        throw new InvalidImageException(name + ": corrupt JPEG: expected a marker at byte " + pos);
      }
      int marker = u8(d, pos + 1);
      if (marker == 0xD9) {
        break;
      }
      if (marker == 0x01 || (marker >= 0xD0 && marker <= 0xD8)) {
        pos += 2;
        continue;
      }
      if (pos + 4 > d.length) {
        throw new InvalidImageException(name + ": truncated JPEG: segment header cut at byte " + pos);
      }
      int length = u16be(d, pos + 2);
      int end = pos + 2 + length;
      if (length < 2 || end > d.length) {
        throw new InvalidImageException(
            name + ": truncated JPEG: segment 0xFF" + Integer.toHexString(marker).toUpperCase()
                + " at byte " + pos + " extends past the end of the file");
      }
      boolean startOfFrame =
          marker >= 0xC0 && marker <= 0xCF && marker != 0xC4 && marker != 0xC8 && marker != 0xCC;
      if (startOfFrame && width < 0) {
        if (length < 7) {
          throw new InvalidImageException(name + ": corrupt JPEG: frame header too short");
        }
        height = u16be(d, pos + 5);
        width = u16be(d, pos + 7);
      }
      pos = end;
      if (marker == 0xDA) {
        pos = skipEntropyCodedData(d, pos);
      }
    }
    if (width < 0) {
      throw new InvalidImageException(name + ": corrupt JPEG: no frame header (SOF) before the end of image");
    }
    return new ImageHeader(ImageFormat.JPEG, width, height);
  }

  /** Returns the position of the next marker after a scan: 0xFF followed by neither 0x00 nor a restart marker. */
  private static int skipEntropyCodedData(byte[] d, int pos) {
    int i = pos;
    while (i + 1 < d.length) {
      if (u8(d, i) == 0xFF) {
        int next = u8(d, i + 1);
        if (next != 0x00 && !(next >= 0xD0 && next <= 0xD7) && next != 0xFF) {
          return i;
        }
      }
      i++;
    }
    return d.length;
  }

  private static ImageHeader parseBmp(byte[] d, String name) throws InvalidImageException {
    if (d.length < 26) {
      throw new InvalidImageException(name + ": truncated BMP: header needs 26 bytes, file has " + d.length);
    }
    long pixelOffset = u32le(d, 10);
    long dibSize = u32le(d, 14);
    long width;
    long height;
    if (dibSize == 12) {
      width = u16le(d, 18);
      height = u16le(d, 20);
    } else {
      width = s32le(d, 18);
      height = Math.abs((long) s32le(d, 22)); // negative height marks a top-down bitmap
    }
    if (dibSize >= 40 && d.length >= 34) {
      int bitsPerPixel = u16le(d, 28);
      long compression = u32le(d, 30);
      boolean uncompressed = compression == 0 || compression == 3 || compression == 6;
      if (uncompressed && width > 0 && height > 0 && bitsPerPixel > 0) {
        long rowBytes = (bitsPerPixel * width + 31) / 32 * 4;
        long needed = pixelOffset + rowBytes * height;
        if (needed > d.length) {
          throw new InvalidImageException(
              name + ": truncated BMP: pixel data needs " + needed + " bytes, file has " + d.length);
        }
      }
    }
    return new ImageHeader(ImageFormat.BMP, clampToInt(width), clampToInt(height));
  }

  private static ImageHeader parseTiff(byte[] d, String name) throws InvalidImageException {
    boolean little = d[0] == 'I';
    int version = little ? u16le(d, 2) : u16be(d, 2);
    boolean big;
    if (version == 42) {
      big = false;
    } else if (version == 43) {
      big = true;
    } else {
      throw new InvalidImageException(
          name + ": not a PNG, JPEG, BMP or TIFF file (starts with " + leadingBytes(d) + ")");
    }
    TiffReader r = new TiffReader(d, little, name);
    long ifd = big ? r.u64(8) : r.u32(4);
    long width = -1;
    long height = -1;
    int pages = 0;
    Set<Long> seen = new HashSet<>();
    while (ifd != 0) {
      if (!seen.add(ifd) || pages >= MAX_TIFF_DIRECTORIES) {
        throw new InvalidImageException(name + ": corrupt TIFF: image directory chain loops or is too long");
      }
      long count = big ? r.u64(ifd) : r.u16(ifd);
      long entries = ifd + (big ? 8 : 2);
      int entrySize = big ? 20 : 12;
      if (pages == 0) {
        for (long i = 0; i < count; i++) {
          long e = entries + i * entrySize;
          int tag = r.u16(e);
          if (tag == 256 || tag == 257) {
            int type = r.u16(e + 2);
            long valueAt = e + (big ? 12 : 8);
            long value = switch (type) {
              case 3 -> r.u16(valueAt); // SHORT
              case 4 -> r.u32(valueAt); // LONG
              case 16 -> r.u64(valueAt); // LONG8 (BigTIFF)
              default -> throw new InvalidImageException(
                  name + ": corrupt TIFF: image size tag " + tag + " has field type " + type);
            };
            if (tag == 256) {
              width = value;
            } else {
              height = value;
            }
          }
        }
      }
      long nextAt = entries + count * entrySize;
      ifd = big ? r.u64(nextAt) : r.u32(nextAt);
      pages++;
    }
    if (pages == 0) {
      throw new InvalidImageException(name + ": corrupt TIFF: no image directory");
    }
    if (width < 0 || height < 0) {
      throw new InvalidImageException(name + ": corrupt TIFF: first page has no ImageWidth/ImageLength tag");
    }
    if (pages > 1) {
      throw new InvalidImageException(
          name + ": multi-page TIFF with " + pages + " pages is not supported; save the page to segment"
              + " as a single-page image");
    }
    return new ImageHeader(ImageFormat.TIFF, clampToInt(width), clampToInt(height));
  }

  /** Bounds-checked TIFF field reads; a read past the end means the file is truncated. */
  private record TiffReader(byte[] d, boolean little, String name) {
    int u16(long at) throws InvalidImageException {
      check(at, 2);
      return little ? u16le(d, (int) at) : u16be(d, (int) at);
    }

    long u32(long at) throws InvalidImageException {
      check(at, 4);
      return little ? u32le(d, (int) at) : u32be(d, (int) at);
    }

    long u64(long at) throws InvalidImageException {
      check(at, 8);
      long lo = little ? u32le(d, (int) at) : u32be(d, (int) at + 4);
      long hi = little ? u32le(d, (int) at + 4) : u32be(d, (int) at);
      if (hi != 0) {
        throw new InvalidImageException(name + ": corrupt TIFF: offset or size beyond 4 GiB at byte " + at);
      }
      return lo;
    }

    private void check(long at, int size) throws InvalidImageException {
      if (at < 0 || at + size > d.length) {
        throw new InvalidImageException(
            name + ": truncated TIFF: directory data at byte " + at + " lies past the end of the file ("
                + d.length + " bytes)");
      }
    }
  }

  private static int clampToInt(long v) {
    return (int) Math.min(v, Integer.MAX_VALUE);
  }

  private static boolean startsWith(byte[] d, byte[] prefix) {
    return d.length >= prefix.length && Arrays.equals(d, 0, prefix.length, prefix, 0, prefix.length);
  }

  static String leadingBytes(byte[] d) {
    StringBuilder s = new StringBuilder("bytes");
    for (int i = 0; i < Math.min(8, d.length); i++) {
      s.append(String.format(" %02X", d[i]));
    }
    return s.toString();
  }

  private static int u8(byte[] d, int i) {
    return d[i] & 0xFF;
  }

  private static int u16be(byte[] d, int i) {
    return (u8(d, i) << 8) | u8(d, i + 1);
  }

  private static int u16le(byte[] d, int i) {
    return u8(d, i) | (u8(d, i + 1) << 8);
  }

  private static long u32be(byte[] d, int i) {
    return ((long) u16be(d, i) << 16) | u16be(d, i + 2);
  }

  private static long u32le(byte[] d, int i) {
    return u16le(d, i) | ((long) u16le(d, i + 2) << 16);
  }

  private static int s32le(byte[] d, int i) {
    return (int) u32le(d, i);
  }
}
