package org.pgdiffseg.sdk.imaging;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.pgdiffseg.sdk.InvalidImageException;

/**
 * The structure of a DICOM Part 10 file, walked element by element (sequences and items included) with every
 * declared length checked against the bytes that are really there, and the attributes needed to decode its
 * pixels. Built for untrusted input: a truncated file, a length past the end, a sequence without its delimiter,
 * dimensions over the pixel limit or pixel data shorter than the dimensions say are refused with a message
 * before anything is allocated for pixels. (ImageJ's decoder, used before, trusted declared lengths: it looped
 * forever on truncated files, allocated whatever the header declared, zero-padded short pixel data and printed
 * its errors on standard output.)
 *
 * <p>The encoding is decided once, not guessed per element: the meta group (0002,xxxx) is explicit VR little
 * endian, the data set is encoded as its transfer syntax says (implicit VR little endian when the meta names
 * none, as PS3.5 §A.1 makes it the default). Guessing per element let bytes inside a private element of an
 * implicit VR file pass for an explicit header, so a reader could show an image nobody else sees.
 */
record DicomHeader(String transferSyntax, boolean bigEndian, int rows, int columns, int frames, int samplesPerPixel,
    int bitsAllocated, int bitsStored, boolean signed, String photometric, int planarConfiguration, double slope,
    double intercept, double windowCenter, double windowWidth, int pixelDataOffset, long pixelDataBytes,
    Fragments fragments) {

  static final String IMPLICIT_LITTLE = "1.2.840.10008.1.2";
  static final String EXPLICIT_LITTLE = "1.2.840.10008.1.2.1";
  static final String EXPLICIT_BIG = "1.2.840.10008.1.2.2";
  /** JPEG Baseline (Process 1): 8-bit lossy JPEG, encapsulated; what most ultrasound scanners write. */
  static final String JPEG_BASELINE = "1.2.840.10008.1.2.4.50";
  private static final Set<String> READABLE_SYNTAXES = Set.of(IMPLICIT_LITTLE, EXPLICIT_LITTLE, EXPLICIT_BIG,
      JPEG_BASELINE);
  /** Encapsulated fragments walked at most; one per frame is the rule, and frames are bounded. */
  private static final int MAX_FRAGMENTS = 65_536;
  /** VRs whose explicit form has two reserved bytes and a 32-bit length. */
  private static final Set<String> LONG_VRS = Set.of("OB", "OW", "OF", "OD", "OL", "OV", "SQ", "UT", "UN", "UC", "UR",
      "SV", "UV");
  private static final Set<String> VRS = Set.of("AE", "AS", "AT", "CS", "DA", "DS", "DT", "FL", "FD", "IS", "LO", "LT",
      "PN", "SH", "SL", "SS", "ST", "TM", "UI", "UL", "US", "OB", "OW", "OF", "OD", "OL", "OV", "SQ", "UT", "UN", "UC",
      "UR", "SV", "UV");
  private static final long UNDEFINED = 0xFFFFFFFFL;
  private static final int ITEM = 0xFFFEE000;
  private static final int ITEM_END = 0xFFFEE00D;
  private static final int SEQUENCE_END = 0xFFFEE0DD;
  private static final int PIXEL_DATA = 0x7FE00010;
  /** Nesting deeper than this is not found in images and would only serve to exhaust the stack. */
  private static final int MAX_DEPTH = 32;

  /** Bytes of all frames' pixel data, uncompressed. */
  long expectedPixelBytes() {
    return frameBytes() * frames;
  }

  /** Bytes of one frame's pixel data, uncompressed. */
  long frameBytes() {
    return frameBytes(rows, columns, samplesPerPixel, bitsAllocated, photometric);
  }

  /** YBR_FULL_422 stores Y for every pixel and one Cb, Cr for each two pixels of a row (PS3.3 C.7.6.3.1.2). */
  boolean chromaSubsampled() {
    return isChromaSubsampled(samplesPerPixel, photometric);
  }

  private static boolean isChromaSubsampled(int samplesPerPixel, String photometric) {
    return samplesPerPixel == 3 && photometric.equals("YBR_FULL_422");
  }

  private static long frameBytes(int rows, int columns, int samplesPerPixel, int bitsAllocated, String photometric) {
    int samples = isChromaSubsampled(samplesPerPixel, photometric) ? 2 : samplesPerPixel;
    return (long) rows * columns * samples * (bitsAllocated / 8);
  }

  long pixels() {
    return (long) rows * columns * frames;
  }

  /**
   * Walks {@code d} (which starts with the 128-byte preamble and "DICM") and checks that its pixels can be read
   * within the limits: a supported transfer syntax, every element inside the file, frames no smaller than
   * {@code minFrameSide} a side and no more than {@code maxFrames}, at most {@code maxPixels} in all, and pixel
   * data as long as the dimensions say. The work a file asks for is known here, before any pixel is decoded.
   */
  static DicomHeader parse(byte[] d, String name, long maxPixels, int maxFrames, int minFrameSide)
      throws InvalidImageException {
    Walker w = new Walker(d, name);
    w.pos = 132;
    w.walkMeta();
    String syntax = w.transferSyntax == null ? IMPLICIT_LITTLE : w.transferSyntax;
    if (!READABLE_SYNTAXES.contains(syntax)) {
      throw new InvalidImageException(name + ": compressed or deflated DICOM (transfer syntax " + syntax
          + ") is not supported; supported are implicit and explicit VR little endian, explicit VR big endian and"
          + " JPEG Baseline (1.2.840.10008.1.2.4.50)");
    }
    w.bigEndian = syntax.equals(EXPLICIT_BIG);
    w.explicitVr = !syntax.equals(IMPLICIT_LITTLE);
    w.encapsulated = syntax.equals(JPEG_BASELINE);
    w.walkDataset(d.length, 0, true, false);
    if (w.pixelDataAt < 0) {
      throw new InvalidImageException(name + ": DICOM without pixel data (no (7FE0,0010) element)");
    }
    if (w.rows <= 0 || w.columns <= 0) {
      throw new InvalidImageException(name + ": DICOM declares an image of " + w.columns + " x " + w.rows
          + " pixels (Columns x Rows); both must be positive");
    }
    if (w.frames <= 0) {
      throw new InvalidImageException(name + ": DICOM declares " + w.frames + " frames (Number of Frames)");
    }
    if (w.bitsStored <= 0 || w.bitsStored > w.bitsAllocated) {
      w.bitsStored = w.bitsAllocated;   // absent or impossible: every allocated bit holds the value
    }
    if (w.bitsAllocated != 8 && w.bitsAllocated != 16 && w.bitsAllocated != 32) {
      throw new InvalidImageException(name + ": DICOM with " + w.bitsAllocated
          + " bits allocated per sample is not supported; expected 8, 16 or 32");
    }
    if (w.samplesPerPixel != 1 && w.samplesPerPixel != 3) {
      throw new InvalidImageException(name + ": DICOM with " + w.samplesPerPixel
          + " samples per pixel (0028,0002) is not supported; expected 1 (gray) or 3 (colour)");
    }
    if (w.pixelDataLength == UNDEFINED && !w.encapsulated) {
      throw new InvalidImageException(name + ": DICOM pixel data is encapsulated (compressed) while the transfer"
          + " syntax " + syntax + " says uncompressed");
    }
    if (w.encapsulated) {
      return encapsulated(w, syntax, name, maxPixels, maxFrames, minFrameSide);
    }
    if (w.rows < minFrameSide || w.columns < minFrameSide) {
      throw new InvalidImageException(name + ": DICOM frames of " + w.columns + " x " + w.rows
          + " pixels (Columns x Rows) are smaller than the " + minFrameSide + " x " + minFrameSide
          + " the model can read");
    }
    if (isChromaSubsampled(w.samplesPerPixel, w.photometric) && (w.columns % 2 != 0 || w.planarConfiguration != 0)) {
      throw new InvalidImageException(name + ": DICOM YBR_FULL_422 needs an even number of Columns (0028,0011) and"
          + " Planar Configuration (0028,0006) 0; it has " + w.columns + " columns and planar configuration "
          + w.planarConfiguration);
    }
    long frameBytes = frameBytes(w.rows, w.columns, w.samplesPerPixel, w.bitsAllocated, w.photometric);
    long declaredBytes = w.frames > Long.MAX_VALUE / frameBytes ? Long.MAX_VALUE : frameBytes * w.frames;
    long fullYbrBytes = declaredBytes / 2 * 3;
    if (isChromaSubsampled(w.samplesPerPixel, w.photometric) && w.pixelDataLength > declaredBytes + declaredBytes % 2
        && w.pixelDataLength >= fullYbrBytes + fullYbrBytes % 2) {
      // pydicom refuses this too: the pixel data is as long as unsubsampled YBR_FULL would be
      throw new InvalidImageException(name + ": DICOM pixel data of " + w.pixelDataLength + " bytes is as long as"
          + " YBR_FULL needs (" + fullYbrBytes + "), not YBR_FULL_422 (" + declaredBytes + "); Photometric"
          + " Interpretation (0028,0004) is likely wrong");
    }
    // Whole frames beyond Number of Frames are read too, as pydicom does (its allow_excess_frames default).
    long frames = Math.max(w.frames, w.pixelDataLength / frameBytes);
    if (frames > maxFrames) {
      throw new InvalidImageException(name + ": DICOM of " + frames + " frames (Number of Frames (0028,0008) "
          + (w.framesDeclared ? "says " + w.frames : "absent") + ", pixel data holds " + w.pixelDataLength / frameBytes
          + " whole frames), above the limit of " + maxFrames + " frames per file");
    }
    DicomHeader header = new DicomHeader(syntax, w.bigEndian, w.rows, w.columns, (int) frames, w.samplesPerPixel,
        w.bitsAllocated, w.bitsStored, w.pixelRepresentation == 1, w.photometric, w.planarConfiguration, w.slope,
        w.intercept, w.windowCenter, w.windowWidth, w.pixelDataValueAt, w.pixelDataLength, null);
    if (header.pixels() > maxPixels) {
      throw new InvalidImageException(name + ": DICOM of " + w.columns + " x " + w.rows + " x " + frames
          + " frames = " + header.pixels() + " pixels, above the limit of " + maxPixels + " pixels");
    }
    if (header.expectedPixelBytes() > Integer.MAX_VALUE - 16) {
      throw new InvalidImageException(name + ": DICOM pixel data of " + header.expectedPixelBytes()
          + " bytes is too large to hold in memory");
    }
    if (w.pixelDataLength < header.expectedPixelBytes()) {
      throw new InvalidImageException(name + ": truncated DICOM: pixel data holds " + w.pixelDataLength
          + " bytes, but " + w.columns + " x " + w.rows + " x " + frames + " frames x " + w.samplesPerPixel
          + " samples of " + w.bitsAllocated + " bits need " + header.expectedPixelBytes());
    }
    return header;
  }

  /**
   * A JPEG Baseline file: its frames are its fragments, one each, or all of them for a single frame. Counted and
   * checked against the limits like uncompressed frames; each JPEG's own header is checked when it is decoded.
   */
  private static DicomHeader encapsulated(Walker w, String syntax, String name, long maxPixels, int maxFrames,
      int minFrameSide) throws InvalidImageException {
    if (w.fragments == null) {
      throw new InvalidImageException(name + ": DICOM transfer syntax " + syntax + " is JPEG Baseline, but the pixel"
          + " data is not encapsulated");
    }
    if (w.bitsAllocated != 8) {
      throw new InvalidImageException(name + ": DICOM JPEG Baseline with " + w.bitsAllocated + " bits allocated"
          + " (0028,0100); JPEG Baseline holds 8");
    }
    if (w.rows < minFrameSide || w.columns < minFrameSide) {
      throw new InvalidImageException(name + ": DICOM frames of " + w.columns + " x " + w.rows
          + " pixels (Columns x Rows) are smaller than the " + minFrameSide + " x " + minFrameSide
          + " the model can read");
    }
    if (w.frames > maxFrames) {
      throw new InvalidImageException(name + ": DICOM of " + w.frames + " frames (Number of Frames (0028,0008)),"
          + " above the limit of " + maxFrames + " frames per file");
    }
    int count = w.fragments.count();
    if (w.frames > 1 && count != w.frames) {
      throw new InvalidImageException(name + ": DICOM JPEG pixel data has " + count + " fragments for " + w.frames
          + " frames; only one fragment per frame (or any number for a single frame) is read");
    }
    DicomHeader header = new DicomHeader(syntax, false, w.rows, w.columns, w.frames, w.samplesPerPixel,
        w.bitsAllocated, w.bitsAllocated, false, w.photometric, w.planarConfiguration, w.slope, w.intercept,
        w.windowCenter, w.windowWidth, w.pixelDataValueAt, w.pixelDataLength, w.fragments);
    if (header.pixels() > maxPixels) {
      throw new InvalidImageException(name + ": DICOM of " + w.columns + " x " + w.rows + " x " + w.frames
          + " frames = " + header.pixels() + " pixels, above the limit of " + maxPixels + " pixels");
    }
    return header;
  }

  /**
   * The top-level values of {@link DicomAttributes#KEPT} in {@code d}, raw and less trailing padding (a space or
   * NUL), from the same checked walk as {@link #parse}; the caller has parsed {@code d} first.
   */
  /** The kept top-level attributes' raw values, and the items of the Sequence of Ultrasound Regions. */
  record Kept(Map<Integer, byte[]> values, List<UltrasoundRegion> regions) {}

  static Kept keptAttributes(byte[] d, String name) throws InvalidImageException {
    Walker w = new Walker(d, name);
    w.pos = 132;
    w.walkMeta();
    String syntax = w.transferSyntax == null ? IMPLICIT_LITTLE : w.transferSyntax;
    w.bigEndian = syntax.equals(EXPLICIT_BIG);
    w.explicitVr = !syntax.equals(IMPLICIT_LITTLE);
    w.encapsulated = syntax.equals(JPEG_BASELINE);
    w.kept = new HashMap<>();
    w.regions = new ArrayList<>();
    w.walkDataset(d.length, 0, true, false);
    List<UltrasoundRegion> regions = new ArrayList<>();
    for (Map<Integer, Double> item : w.regions) {
      regions.add(UltrasoundRegion.of(item));
    }
    return new Kept(w.kept, regions);
  }

  /** Where each fragment of encapsulated pixel data lies in the file (the Basic Offset Table left out). */
  record Fragments(int[] offsets, int[] lengths) {
    int count() {
      return offsets.length;
    }
  }

  /** The walk's cursor and what it has read. */
  private static final class Walker {
    final byte[] d;
    final String name;
    int pos;
    boolean bigEndian;
    boolean explicitVr = true;   // the meta group is always explicit VR
    String transferSyntax;
    int rows = -1;
    int columns = -1;
    int frames = 1;
    boolean framesDeclared;
    int samplesPerPixel = 1;
    int bitsAllocated = 16;
    int bitsStored = -1;
    int pixelRepresentation;
    String photometric = "MONOCHROME2";
    int planarConfiguration;
    double slope = 1;
    double intercept;
    double windowCenter = Double.NaN;
    double windowWidth = Double.NaN;
    long pixelDataAt = -1;
    int pixelDataValueAt;
    long pixelDataLength;
    boolean encapsulated;
    Fragments fragments;
    /** The kept attributes' values when asked for ({@link #keptAttributes}), else null. */
    Map<Integer, byte[]> kept;
    /** The numeric values of each item of the Sequence of Ultrasound Regions, when asked for, else null. */
    List<Map<Integer, Double>> regions;
    /** The item of that sequence being walked, or null outside it. */
    Map<Integer, Double> region;

    Walker(byte[] d, String name) {
      this.d = d;
      this.name = name;
    }

    /** The file meta group (0002,xxxx): always explicit VR little endian. */
    void walkMeta() throws InvalidImageException {
      while (pos + 4 <= d.length && u16(pos, false) == 0x0002) {
        Element e = next(d.length, false);
        if (e.tag == 0x00020010) {
          transferSyntax = text(e).replace("\0", "").trim();
        }
        skip(e, d.length);
      }
    }

    /**
     * Walks elements up to {@code end}; in an item of undefined length ({@code delimited}) it stops at the item
     * delimiter, which must come before {@code end}. Top-level image attributes are recorded; the walk ends at the
     * top-level pixel data.
     */
    void walkDataset(long end, int depth, boolean top, boolean delimited) throws InvalidImageException {
      if (depth > MAX_DEPTH) {
        throw new InvalidImageException(name + ": corrupt DICOM: sequences nested deeper than " + MAX_DEPTH);
      }
      while (pos < end) {
        Element e = next(end, bigEndian);
        if (e.tag == ITEM_END) {
          if (top) {
            throw new InvalidImageException(name + ": corrupt DICOM: item delimiter at byte " + e.at
                + " outside a sequence");
          }
          return;
        }
        if (top && e.tag == PIXEL_DATA) {
          pixelDataAt = e.at;
          pixelDataValueAt = pos;
          pixelDataLength = e.length;
          if (e.length != UNDEFINED) {
            checkInside(e, end);
          } else if (encapsulated) {
            fragments = walkFragments();
          }
          return;   // ImageJ stops reading the header here, and so do we
        }
        if (top) {
          record(e);
        } else if (region != null && depth == 1) {
          recordRegion(e);
        }
        if (top && regions != null && e.tag == UltrasoundRegion.SEQUENCE
            && (e.vr == null || "SQ".equals(e.vr) || "UN".equals(e.vr))) {
          walkRegions(e, end, depth + 1);
          continue;
        }
        if (e.length == UNDEFINED && "UN".equals(e.vr)) {
          // PS3.5 §6.2.2: a UN of undefined length holds a sequence encoded in implicit VR little endian
          boolean explicit = explicitVr;
          boolean big = bigEndian;
          explicitVr = false;
          bigEndian = false;
          walkSequence(e, end, depth + 1);
          explicitVr = explicit;
          bigEndian = big;
        } else if (e.length == UNDEFINED || "SQ".equals(e.vr)) {
          walkSequence(e, end, depth + 1);
        } else {
          skip(e, end);
        }
      }
      if (delimited) {
        throw new InvalidImageException(name + ": truncated DICOM: an item of undefined length has no delimiter");
      }
    }

    /** The items of encapsulated pixel data up to its sequence delimiter, each inside the file. */
    Fragments walkFragments() throws InvalidImageException {
      List<int[]> items = new ArrayList<>();
      while (true) {
        Element item = next(d.length, false);   // item tags are little endian in every encapsulated syntax
        if (item.tag == SEQUENCE_END) {
          break;
        }
        if (item.tag != ITEM || item.length == UNDEFINED) {
          throw new InvalidImageException(name + ": corrupt DICOM: expected a pixel data fragment of defined length"
              + " at byte " + item.at + ", found " + tagName(item.tag));
        }
        checkInside(item, d.length);
        if (items.size() > MAX_FRAGMENTS) {
          throw new InvalidImageException(name + ": DICOM pixel data of more than " + MAX_FRAGMENTS + " fragments");
        }
        items.add(new int[] {pos, (int) item.length});
        pos += (int) item.length;
      }
      if (items.size() < 2) {
        throw new InvalidImageException(name + ": DICOM encapsulated pixel data holds no fragment after its Basic"
            + " Offset Table");
      }
      int[] offsets = new int[items.size() - 1];
      int[] lengths = new int[items.size() - 1];
      for (int i = 1; i < items.size(); i++) {
        offsets[i - 1] = items.get(i)[0];
        lengths[i - 1] = items.get(i)[1];
      }
      return new Fragments(offsets, lengths);
    }

    /** The Sequence of Ultrasound Regions: each item's numeric values are kept, in the file's byte order. */
    void walkRegions(Element sequence, long end, int depth) throws InvalidImageException {
      boolean explicit = explicitVr;
      boolean big = bigEndian;
      if ("UN".equals(sequence.vr)) {   // PS3.5 §6.2.2: its content is implicit VR little endian
        explicitVr = false;
        bigEndian = false;
      }
      try {
        walkSequenceItems(sequence, end, depth, true);
      } finally {
        explicitVr = explicit;
        bigEndian = big;
      }
    }

    /** The numbers of one region item that calibrate it (UL, US, SL, SS or FD values), in the file's byte order. */
    void recordRegion(Element e) throws InvalidImageException {
      if (!UltrasoundRegion.TAGS.contains(e.tag) || e.length == UNDEFINED) {
        return;
      }
      checkInside(e, d.length);
      long n = e.length;
      double value;
      if (n == 8) {
        long bits = 0;
        for (int b = 0; b < 8; b++) {
          int shift = bigEndian ? (7 - b) * 8 : b * 8;
          bits |= (long) (d[pos + b] & 0xFF) << shift;
        }
        value = Double.longBitsToDouble(bits);
      } else if (n == 4) {
        value = u32(pos, bigEndian);
      } else if (n == 2) {
        value = u16(pos, bigEndian);
      } else {
        return;   // not a single number: the region stays uncalibrated, and says so
      }
      region.put(e.tag, value);
    }

    /** Items of a sequence (defined or undefined length), each a nested dataset. */
    void walkSequence(Element sequence, long end, int depth) throws InvalidImageException {
      walkSequenceItems(sequence, end, depth, false);
    }

    /** Items of a sequence; with {@code regionItems}, each item's calibration values are collected. */
    void walkSequenceItems(Element sequence, long end, int depth, boolean regionItems) throws InvalidImageException {
      long sequenceEnd = end;
      if (sequence.length != UNDEFINED) {
        checkInside(sequence, end);
        sequenceEnd = pos + sequence.length;
      }
      while (pos < sequenceEnd) {
        Element item = next(sequenceEnd, bigEndian);
        if (item.tag == SEQUENCE_END) {
          return;
        }
        if (item.tag != ITEM) {
          throw new InvalidImageException(name + ": corrupt DICOM: expected a sequence item at byte " + item.at
              + ", found " + tagName(item.tag));
        }
        if (regionItems) {
          region = new HashMap<>();
          regions.add(region);
        }
        try {
          if (item.length == UNDEFINED) {
            walkDataset(sequenceEnd, depth, false, true);
          } else {
            checkInside(item, sequenceEnd);
            long itemEnd = pos + item.length;
            walkDataset(itemEnd, depth, false, false);
            pos = (int) itemEnd;
          }
        } finally {
          if (regionItems) {
            region = null;
          }
        }
      }
      if (sequence.length == UNDEFINED) {
        throw new InvalidImageException(name + ": truncated DICOM: sequence " + tagName(sequence.tag) + " at byte "
            + sequence.at + " has no delimiter before the end of the file");
      }
    }

    void record(Element e) throws InvalidImageException {
      switch (e.tag) {
        case 0x00280010 -> rows = us(e);
        case 0x00280011 -> columns = us(e);
        case 0x00280002 -> samplesPerPixel = us(e);
        case 0x00280100 -> bitsAllocated = us(e);
        case 0x00280008 -> {
          frames = integerString(e);
          framesDeclared = true;
        }
        case 0x00280101 -> bitsStored = us(e);
        case 0x00280103 -> pixelRepresentation = us(e);
        case 0x00280006 -> planarConfiguration = us(e);
        case 0x00280004 -> photometric = text(e).replace("\0", "").trim();
        case 0x00281050 -> windowCenter = decimalString(e, Double.NaN);
        case 0x00281051 -> windowWidth = decimalString(e, Double.NaN);
        case 0x00281052 -> intercept = decimalString(e, 0);
        case 0x00281053 -> slope = decimalString(e, 1);
        default -> { }
      }
      if (kept != null && DicomAttributes.KEPT.contains(e.tag)) {
        kept.put(e.tag, rawValue(e));
      }
    }

    /** The value bytes of {@code e} without trailing padding; an over-long one is refused, not cut. */
    byte[] rawValue(Element e) throws InvalidImageException {
      checkInside(e, d.length);
      if (e.length > DicomAttributes.MAX_VALUE_BYTES) {
        throw new InvalidImageException(name + ": corrupt DICOM: " + tagName(e.tag) + " holds " + e.length
            + " bytes, more than the " + DicomAttributes.MAX_VALUE_BYTES + " any such attribute needs");
      }
      int length = (int) e.length;
      while (length > 0 && (d[pos + length - 1] == ' ' || d[pos + length - 1] == 0)) {
        length--;
      }
      return Arrays.copyOfRange(d, pos, pos + length);
    }

    /** Reads the next element header at {@code pos} (moving past it) and checks it lies before {@code end}. */
    Element next(long end, boolean big) throws InvalidImageException {
      int at = pos;
      if (at + 8 > end) {
        throw new InvalidImageException(name + ": truncated DICOM: element header at byte " + at
            + " runs past the end of the data (" + end + " bytes)");
      }
      int group = u16(at, big);
      int element = u16(at + 2, big);
      int tag = (group << 16) | element;
      if (group == 0xFFFE || !explicitVr) {
        // items and delimiters never carry a VR; in implicit VR no element does
        pos = at + 8;
        return new Element(tag, null, u32(at + 4, big), at);
      }
      String vr = new String(d, at + 4, 2, StandardCharsets.ISO_8859_1);
      if (!VRS.contains(vr)) {
        throw new InvalidImageException(name + ": corrupt DICOM: element " + tagName(tag) + " at byte " + at
            + " has VR '" + printable(vr) + "', which is not a DICOM VR (the transfer syntax says explicit VR)");
      }
      if (LONG_VRS.contains(vr)) {
        if (at + 12 > end) {
          throw new InvalidImageException(name + ": truncated DICOM: element header " + tagName(tag) + " at byte "
              + at + " runs past the end of the data");
        }
        pos = at + 12;
        return new Element(tag, vr, u32(at + 8, big), at);
      }
      pos = at + 8;
      return new Element(tag, vr, u16(at + 6, big), at);
    }

    void skip(Element e, long end) throws InvalidImageException {
      if (e.length == UNDEFINED) {
        throw new InvalidImageException(name + ": corrupt DICOM: element " + tagName(e.tag) + " at byte " + e.at
            + " has an undefined length");
      }
      checkInside(e, end);
      pos += (int) e.length;
    }

    void checkInside(Element e, long end) throws InvalidImageException {
      if (pos + e.length > end) {
        throw new InvalidImageException(name + ": truncated DICOM: element " + tagName(e.tag) + " at byte " + e.at
            + " declares " + e.length + " bytes, but only " + Math.max(0, end - pos) + " remain");
      }
    }

    int us(Element e) throws InvalidImageException {
      if (e.length < 2) {
        throw new InvalidImageException(name + ": corrupt DICOM: " + tagName(e.tag) + " holds " + e.length
            + " bytes, expected an unsigned short");
      }
      checkInside(e, d.length);
      return u16(pos, bigEndian);
    }

    int integerString(Element e) throws InvalidImageException {
      String s = text(e).replace("\0", "").trim();
      try {
        return s.isEmpty() ? 1 : Integer.parseInt(s.startsWith("+") ? s.substring(1) : s);
      } catch (NumberFormatException bad) {
        throw new InvalidImageException(name + ": corrupt DICOM: " + tagName(e.tag) + " is '" + s
            + "', not an integer");
      }
    }

    /** The first value of a DS (decimal string); {@code absent} when empty. Unparsable text is NaN. */
    double decimalString(Element e, double absent) throws InvalidImageException {
      String s = text(e).replace("\0", "").trim();
      int separator = s.indexOf('\\');
      String first = (separator < 0 ? s : s.substring(0, separator)).trim();
      if (first.isEmpty()) {
        return absent;
      }
      try {
        return Double.parseDouble(first);
      } catch (NumberFormatException bad) {
        return Double.NaN;
      }
    }

    String text(Element e) throws InvalidImageException {
      checkInside(e, d.length);
      return new String(d, pos, (int) Math.min(e.length, 256), StandardCharsets.ISO_8859_1);
    }

    int u16(int at, boolean big) {
      int a = d[at] & 0xFF;
      int b = d[at + 1] & 0xFF;
      return big ? (a << 8) | b : a | (b << 8);
    }

    long u32(int at, boolean big) {
      long lo = u16(at, big);
      long hi = u16(at + 2, big);
      return big ? (lo << 16) | hi : lo | (hi << 16);
    }
  }

  private record Element(int tag, String vr, long length, int at) {}

  private static String printable(String s) {
    StringBuilder out = new StringBuilder();
    for (char c : s.toCharArray()) {
      out.append(c >= 0x20 && c < 0x7F ? String.valueOf(c) : String.format(Locale.ROOT, "\\x%02X", (int) c));
    }
    return out.toString();
  }

  static String tagName(int tag) {
    return String.format(Locale.ROOT, "(%04X,%04X)", tag >>> 16, tag & 0xFFFF);
  }
}
