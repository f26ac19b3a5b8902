package org.pgdiffseg.sdk.imaging;

import java.util.Set;
import java.util.function.IntToDoubleFunction;
import org.pgdiffseg.sdk.InvalidImageException;

/**
 * The frames of one checked DICOM file, decoded one at a time on request, so that reading a file holds one
 * frame's values beside what the caller keeps: stored values, then modality values (Rescale Slope / Intercept),
 * then the 0..255 gray of {@link DecodedImage}. The stored and modality levels are the ones other readers
 * (pydicom's {@code pixel_array} and {@code apply_modality_lut}) expose, which the differential tests compare.
 * Immutable; thread-safe as long as the caller does not change the bytes it passed in.
 */
final class DicomFrames {
  private static final String RESCALE_TAGS = "Rescale Slope / Intercept (0028,1053 / 0028,1052)";
  private static final String WINDOW_TAGS = "Window Center / Width (0028,1050 / 0028,1051)";
  private static final Set<String> JPEG_PHOTOMETRICS = Set.of("MONOCHROME1", "MONOCHROME2", "RGB", "YBR_FULL",
      "YBR_FULL_422");

  private final DicomHeader h;
  private final String name;

  /** Uncompressed pixel data, read in place; null for JPEG. */
  private final PixelSamples samples;
  /** JPEG Baseline frames, decoded on request; null for uncompressed pixel data. */
  private final JpegFrames jpeg;

  DicomFrames(DicomHeader h, byte[] data, String name) throws InvalidImageException {
    if (!Double.isFinite(h.slope()) || !Double.isFinite(h.intercept()) || h.slope() == 0) {
      throw new InvalidImageException(name + ": DICOM " + RESCALE_TAGS + " are " + h.slope() + " / "
          + h.intercept() + "; expected finite numbers and a slope other than 0");
    }
    this.h = h;
    this.name = name;
    if (h.fragments() == null) {
      this.samples = PixelSamples.of(h, data, name);
      this.jpeg = null;
    } else {
      if (!JPEG_PHOTOMETRICS.contains(h.photometric())) {
        throw new InvalidImageException(name + ": DICOM JPEG with photometric interpretation '" + h.photometric()
            + "' is not supported; expected one of " + JPEG_PHOTOMETRICS);
      }
      this.samples = null;
      this.jpeg = new JpegFrames(h, data, name);
    }
  }

  DicomHeader header() {
    return h;
  }

  int count() {
    return h.frames();
  }

  int pixels() {
    return h.rows() * h.columns();
  }

  /**
   * Stored values of {@code frame}, row-major; a colour pixel gives its three samples in turn (R, G, B). A JPEG
   * frame gives its decoded luma, one value a pixel.
   */
  long[] storedValues(int frame) throws InvalidImageException {
    if (jpeg != null) {
      byte[] luma = jpeg.luma(frame);
      long[] values = new long[luma.length];
      for (int i = 0; i < luma.length; i++) {
        values[i] = luma[i] & 0xFF;
      }
      return values;
    }
    int perPixel = h.samplesPerPixel();
    long[] values = new long[pixels() * perPixel];
    for (int i = 0; i < pixels(); i++) {
      for (int c = 0; c < perPixel; c++) {
        values[i * perPixel + c] = samples.stored(frame, i, c);
      }
    }
    return values;
  }

  /** Modality values of {@code frame}: the stored value (a colour pixel's luma) x slope + intercept, all finite. */
  double[] modalityValues(int frame) throws InvalidImageException {
    IntToDoubleFunction gray = grayOf(frame);
    double[] values = new double[pixels()];
    for (int i = 0; i < values.length; i++) {
      values[i] = modality(gray, frame, i);
    }
    return values;
  }

  /** Frame {@code frame} (0-based) on the 0..255 gray scale; see {@link DicomReader}. */
  DecodedImage image(int frame) throws InvalidImageException {
    IntToDoubleFunction gray = grayOf(frame);
    double lo;
    double hi;
    if (Double.isFinite(h.windowCenter()) && Double.isFinite(h.windowWidth()) && h.windowWidth() > 0) {
      lo = h.windowCenter() - h.windowWidth() / 2;
      hi = h.windowCenter() + h.windowWidth() / 2;
      if (!Double.isFinite(lo) || !Double.isFinite(hi) || !Double.isFinite(hi - lo)) {
        throw new InvalidImageException(name + ": DICOM " + WINDOW_TAGS + " of " + h.windowCenter() + " / "
            + h.windowWidth() + " reach beyond the largest number (the window's ends are " + lo + " and " + hi + ")");
      }
    } else {
      // a first pass finds the frame's range, so that no array of its modality values is kept
      lo = Double.MAX_VALUE;
      hi = -Double.MAX_VALUE;
      for (int i = 0; i < pixels(); i++) {
        double v = modality(gray, frame, i);
        lo = Math.min(lo, v);
        hi = Math.max(hi, v);
      }
      if (!Double.isFinite(hi - lo)) {
        throw new InvalidImageException(name + ": DICOM " + RESCALE_TAGS + " of " + h.slope() + " / " + h.intercept()
            + " spread frame " + (frame + 1) + " from " + lo + " to " + hi + ", a range beyond the largest number");
      }
    }
    double range = hi - lo;
    boolean invert = h.photometric().equals("MONOCHROME1");
    float[] out = new float[pixels()];
    for (int i = 0; i < out.length; i++) {
      double v = range > 0 ? Math.max(0, Math.min(255, (modality(gray, frame, i) - lo) * 255 / range)) : 0;
      out[i] = (float) (invert ? 255 - v : v);
    }
    String frameName = h.frames() == 1 ? name : name + "#frame" + (frame + 1);
    return new DecodedImage(frameName, ImageFormat.DICOM, h.columns(), h.rows(), h.samplesPerPixel(),
        h.bitsAllocated(), out);
  }

  /** A frame's gray stored values by pixel: read in place, or from the frame's decoded JPEG. */
  private IntToDoubleFunction grayOf(int frame) throws InvalidImageException {
    if (jpeg != null) {
      byte[] luma = jpeg.luma(frame);
      return i -> luma[i] & 0xFF;
    }
    return i -> samples.gray(frame, i);
  }

  private double modality(IntToDoubleFunction gray, int frame, int pixel) throws InvalidImageException {
    double stored = gray.applyAsDouble(pixel);
    double v = stored * h.slope() + h.intercept();
    if (!Double.isFinite(v)) {
      throw new InvalidImageException(name + ": DICOM " + RESCALE_TAGS + " of " + h.slope() + " / "
          + h.intercept() + " take stored value " + stored + " (frame " + (frame + 1) + ", pixel " + pixel
          + ") to " + v + "; expected finite values");
    }
    return v;
  }
}
