package org.pgdiffseg.sdk.imaging;

import static com.google.common.base.Preconditions.checkArgument;

import ij.ImageStack;
import ij.plugin.DICOM;
import ij.process.ImageProcessor;
import java.io.ByteArrayInputStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.pgdiffseg.sdk.InvalidImageException;

/**
 * Reads DICOM Part 10 files (ultrasound or MRI, single- or multi-frame) with ImageJ's DICOM reader: one gray
 * image per frame on the 0..255 scale. Intensities go through the file's window (Window Center / Width) when it
 * has one, else through the frame's own min..max, as a viewer would show them; the model's intensity window is
 * applied afterwards like for any other image. Supported transfer syntaxes: implicit and
 * explicit VR little endian, explicit VR big endian (docs/imaging.md). Before ImageJ reads a byte, {@link DicomHeader} walks the
 * file and refuses truncated, oversized and compressed files. Thread-safe.
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
    // The walk refuses what ImageJ would hang on, over-allocate for or zero-pad, before ImageJ reads a byte.
    DicomHeader header = DicomHeader.parse(data, name, maxPixels);
    DICOM dicom = new DICOM(new EndAwareInputStream(data));
    try {
      dicom.run(name);
    } catch (RuntimeException e) {
      throw new InvalidImageException(name + ": unreadable DICOM: " + e.getMessage(), e);
    }
    int width = dicom.getWidth();
    int height = dicom.getHeight();
    if (width <= 0 || height <= 0 || dicom.getStack() == null || dicom.getStackSize() == 0) {
      throw new InvalidImageException(name + ": DICOM without readable pixel data (no (7FE0,0010) ImageJ can decode)");
    }
    if (width != header.columns() || height != header.rows() || dicom.getStackSize() != header.frames()) {
      throw new InvalidImageException(name + ": DICOM header declares " + header.columns() + " x " + header.rows()
          + " x " + header.frames() + " frames, but its pixel data decoded as " + width + " x " + height + " x "
          + dicom.getStackSize());
    }
    double[] window = window(dicom);
    ImageStack stack = dicom.getStack();
    List<DecodedImage> frames = new ArrayList<>();
    for (int f = 1; f <= stack.getSize(); f++) {
      ImageProcessor ip = stack.getProcessor(f);
      float[] gray = new float[width * height];
      double lo = window[0];
      double hi = window[1];
      if (lo >= hi) {   // no window in the file: this frame's own range
        lo = Double.MAX_VALUE;
        hi = -Double.MAX_VALUE;
        for (int i = 0; i < gray.length; i++) {
          double v = calibrated(dicom, ip.getf(i));
          lo = Math.min(lo, v);
          hi = Math.max(hi, v);
        }
      }
      double scale = hi > lo ? 255.0 / (hi - lo) : 0;
      for (int i = 0; i < gray.length; i++) {
        double v = (calibrated(dicom, ip.getf(i)) - lo) * scale;
        if (!Double.isFinite(v)) {
          throw new InvalidImageException(name + ": DICOM pixel values are not finite after its Rescale Slope /"
              + " Intercept (0028,1053 / 0028,1052)");
        }
        gray[i] = (float) Math.max(0, Math.min(255, v));
      }
      String frameName = stack.getSize() == 1 ? name : name + "#frame" + f;
      frames.add(new DecodedImage(frameName, ImageFormat.DICOM, width, height, 1, dicom.getBitDepth(), gray));
    }
    return List.copyOf(frames);
  }

  /**
   * The file's bytes for ImageJ, whose decoder loops forever on a {@code skip} that returns 0 at the end of the
   * data: here skipping past the end throws instead. (The header walk makes this unreachable for the files it
   * accepts; it stays as a second line.)
   */
  private static final class EndAwareInputStream extends ByteArrayInputStream {
    EndAwareInputStream(byte[] data) {
      super(data);
    }

    @Override
    public synchronized long skip(long n) {
      if (n > 0 && available() == 0) {
        throw new java.io.UncheckedIOException(new java.io.EOFException("DICOM data ends before a declared element"));
      }
      return super.skip(n);
    }
  }

  private static double calibrated(DICOM dicom, float raw) {
    return dicom.getCalibration().getCValue(raw);
  }

  /**
   * {low, high} from Window Center (0028,1050) and Width (0028,1051); {0, 0} when absent or unusable (not a
   * number, infinite, or a width that is not positive), so the frame's own range is used.
   */
  private static double[] window(DICOM dicom) {
    String center = dicom.getStringProperty("0028,1050");
    String width = dicom.getStringProperty("0028,1051");
    try {
      if (center != null && width != null) {
        double c = Double.parseDouble(center.split("\\\\")[0].trim());
        double w = Double.parseDouble(width.split("\\\\")[0].trim());
        if (Double.isFinite(c) && Double.isFinite(w) && w > 0) {
          return new double[] {c - w / 2, c + w / 2};
        }
      }
    } catch (NumberFormatException ignored) {
      // an unreadable window is treated as none
    }
    return new double[] {0, 0};
  }
}
