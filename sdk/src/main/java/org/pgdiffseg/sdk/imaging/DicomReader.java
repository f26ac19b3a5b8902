package org.pgdiffseg.sdk.imaging;

import static com.google.common.base.Preconditions.checkArgument;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.pgdiffseg.sdk.InvalidImageException;

/**
 * Reads DICOM Part 10 files (ultrasound or MRI, single- or multi-frame, uncompressed): one gray image per frame
 * on the 0..255 scale. {@link DicomHeader} first walks and checks the whole header against the file, then the
 * pixels are decoded here: stored values (8, 16 or 32 bits, signed or unsigned, only the Bits Stored counted)
 * through Rescale Slope / Intercept, then through the file's window (Window Center / Width) when it has a
 * usable one, else through the frame's own min..max, as a viewer would show them; MONOCHROME1 is inverted so
 * that bright means the same in every file. RGB (interleaved or planar) becomes gray with OpenCV's luma
 * weights, as colour PNGs do; YBR_FULL keeps its luma. The model's intensity window is applied afterwards like
 * for any other image. Transfer syntaxes: implicit and explicit VR little endian, explicit VR big endian
 * (docs/imaging.md). Thread-safe.
 */
public final class DicomReader {
  private final long maxPixels;

  public DicomReader(long maxPixels) {
    checkArgument(maxPixels > 0, "maxPixels must be positive");
    this.maxPixels = maxPixels;
  }

  /** True when {@code data} carries the DICOM Part 10 preamble ("DICM" at byte 128). */
  public static boolean isDicom(byte[] data) {
    return data.length >= 132 && data[128] == 'D' && data[129] == 'I' && data[130] == 'C' && data[131] == 'M';
  }

  public List<DecodedImage> read(Path file) throws InvalidImageException {
    return read(ImageFiles.read(file, maxPixels), file.toString());
  }

  public List<DecodedImage> read(byte[] data, String name) throws InvalidImageException {
    if (!isDicom(data)) {
      throw new InvalidImageException(name + ": not a DICOM Part 10 file (no DICM preamble)");
    }
    DicomHeader h = DicomHeader.parse(data, name, maxPixels);
    if (!Double.isFinite(h.slope()) || !Double.isFinite(h.intercept()) || h.slope() == 0) {
      throw new InvalidImageException(name + ": DICOM Rescale Slope / Intercept (0028,1053 / 0028,1052) are "
          + h.slope() + " / " + h.intercept() + "; expected finite numbers and a slope other than 0");
    }
    Samples samples = samples(h, data, name);
    int pixels = h.rows() * h.columns();
    List<DecodedImage> frames = new ArrayList<>(h.frames());
    for (int f = 0; f < h.frames(); f++) {
      double[] values = new double[pixels];
      for (int i = 0; i < pixels; i++) {
        values[i] = samples.value(f, i) * h.slope() + h.intercept();
      }
      float[] gray = window(values, h);
      String frameName = h.frames() == 1 ? name : name + "#frame" + (f + 1);
      frames.add(new DecodedImage(frameName, ImageFormat.DICOM, h.columns(), h.rows(), h.samplesPerPixel(),
          h.bitsAllocated(), gray));
    }
    return List.copyOf(frames);
  }

  /** Maps values onto 0..255 through the file's window when usable, else the frame's own range. */
  private static float[] window(double[] values, DicomHeader h) {
    double lo;
    double hi;
    if (Double.isFinite(h.windowCenter()) && Double.isFinite(h.windowWidth()) && h.windowWidth() > 0) {
      lo = h.windowCenter() - h.windowWidth() / 2;
      hi = h.windowCenter() + h.windowWidth() / 2;
    } else {
      lo = Double.MAX_VALUE;
      hi = -Double.MAX_VALUE;
      for (double v : values) {
        lo = Math.min(lo, v);
        hi = Math.max(hi, v);
      }
    }
    double range = hi - lo;
    boolean invert = h.photometric().equals("MONOCHROME1");
    float[] gray = new float[values.length];
    for (int i = 0; i < values.length; i++) {
      double v = range > 0 ? Math.max(0, Math.min(255, (values[i] - lo) * 255 / range)) : 0;
      gray[i] = (float) (invert ? 255 - v : v);
    }
    return gray;
  }

  /** One frame's pixel as a stored value: gray, or the luma of a colour pixel. */
  @FunctionalInterface
  private interface Samples {
    double value(int frame, int pixel);
  }

  private static Samples samples(DicomHeader h, byte[] d, String name) throws InvalidImageException {
    int bytes = h.bitsAllocated() / 8;
    int pixels = h.rows() * h.columns();
    int base = h.pixelDataOffset();
    StoredValue stored = new StoredValue(d, bytes, h.bigEndian(), h.bitsStored(), h.signed());
    String photometric = h.photometric();
    if (h.samplesPerPixel() == 1) {
      if (!photometric.equals("MONOCHROME1") && !photometric.equals("MONOCHROME2")) {
        throw new InvalidImageException(name + ": DICOM photometric interpretation '" + photometric
            + "' with one sample per pixel is not supported; expected MONOCHROME1 or MONOCHROME2");
      }
      return (f, i) -> stored.at(base + ((long) f * pixels + i) * bytes);
    }
    if (h.samplesPerPixel() != 3) {
      throw new InvalidImageException(name + ": DICOM with " + h.samplesPerPixel()
          + " samples per pixel is not supported; expected 1 (gray) or 3 (RGB)");
    }
    boolean planar = h.planarConfiguration() == 1;
    // sample.value(frame, pixel * 3 + c) reads channel c of a pixel, interleaved or planar
    Samples sample = planar
        ? (f, k) -> stored.at(base + ((long) f * pixels * 3 + (long) (k % 3) * pixels + k / 3) * bytes)
        : (f, k) -> stored.at(base + ((long) f * pixels * 3 + k) * bytes);
    if (photometric.equals("RGB")) {
      // OpenCV's BGR2GRAY weights, so a colour DICOM reads as the same picture saved as a colour PNG would.
      return (f, i) -> 0.299 * sample.value(f, i * 3) + 0.587 * sample.value(f, i * 3 + 1)
          + 0.114 * sample.value(f, i * 3 + 2);
    }
    if (photometric.equals("YBR_FULL")) {
      return (f, i) -> sample.value(f, i * 3);   // Y is the luma
    }
    throw new InvalidImageException(name + ": DICOM photometric interpretation '" + photometric
        + "' with three samples per pixel is not supported; expected RGB or YBR_FULL");
  }

  /** Reads one stored value: its bytes in the file's order, only the Bits Stored, sign-extended when signed. */
  private record StoredValue(byte[] d, int bytes, boolean bigEndian, int bitsStored, boolean signed) {
    double at(long offset) {
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
}
