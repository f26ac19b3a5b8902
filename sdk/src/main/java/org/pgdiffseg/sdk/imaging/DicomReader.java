package org.pgdiffseg.sdk.imaging;

import static com.google.common.base.Preconditions.checkArgument;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.pgdiffseg.sdk.InvalidImageException;

/**
 * Reads DICOM Part 10 files (ultrasound or MRI, single- or multi-frame, uncompressed or JPEG Baseline): one gray
 * image per frame on the 0..255 scale. {@link DicomHeader} first walks and checks the whole header against the
 * file, then the pixels are decoded frame by frame ({@link DicomFrames}): stored values (8, 16 or 32 bits, signed
 * or unsigned, only the Bits Stored counted) through Rescale Slope / Intercept, then through the file's window
 * (Window Center / Width) when it has a usable one, else through the frame's own min..max, as a viewer would show
 * them; MONOCHROME1 is inverted so that bright means the same in every file. RGB (interleaved or planar) becomes
 * gray with OpenCV's luma weights, as colour PNGs do; YBR_FULL and YBR_FULL_422 keep their luma, and so does a
 * JPEG frame. The model's intensity window is applied afterwards like for any other image. Transfer syntaxes:
 * implicit and explicit VR little endian, explicit VR big endian, JPEG Baseline (docs/imaging.md). Files of more
 * than {@link #DEFAULT_MAX_FRAMES} frames, or frames under {@link #DEFAULT_MIN_FRAME_SIDE} pixels a side, are
 * refused from the header. Thread-safe.
 */
public final class DicomReader {
  /**
   * Frames read from one file at most: each frame is one segmentation, so a small file of many frames would
   * otherwise hold a worker for hours (20 KB of 1 x 1 frames asked for 20,000 runs).
   */
  public static final int DEFAULT_MAX_FRAMES = 1000;
  /**
   * The smallest frame side read: the model sees 128 x 128, and a side under 16 pixels is stretched more than
   * eight times, leaving no lesion boundary to find; it also keeps tiny frames from multiplying the work.
   */
  public static final int DEFAULT_MIN_FRAME_SIDE = 16;

  private final long maxPixels;
  private final int maxFrames;
  private final int minFrameSide;

  /** A reader with {@link #DEFAULT_MAX_FRAMES} and {@link #DEFAULT_MIN_FRAME_SIDE}. */
  public DicomReader(long maxPixels) {
    this(maxPixels, DEFAULT_MAX_FRAMES, DEFAULT_MIN_FRAME_SIDE);
  }

  /** A reader that refuses files of more than {@code maxFrames} frames or frames under the minimum side. */
  public DicomReader(long maxPixels, int maxFrames, int minFrameSide) {
    checkArgument(maxPixels > 0, "maxPixels must be positive");
    checkArgument(maxFrames > 0, "maxFrames must be positive, got %s", maxFrames);
    checkArgument(minFrameSide > 0, "minFrameSide must be positive, got %s", minFrameSide);
    this.maxPixels = maxPixels;
    this.maxFrames = maxFrames;
    this.minFrameSide = minFrameSide;
  }

  /** True when {@code data} carries the DICOM Part 10 preamble ("DICM" at byte 128). */
  public static boolean isDicom(byte[] data) {
    return data.length >= 132 && data[128] == 'D' && data[129] == 'I' && data[130] == 'C' && data[131] == 'M';
  }

  public List<DecodedImage> read(Path file) throws InvalidImageException {
    return read(ImageFiles.read(file, maxPixels), file.toString());
  }

  /**
   * Every frame of the file, decoded one after the other (one frame's values held at a time beside them), each with
   * the file's {@link DicomAttributes}, read once here; attributes that cannot be read leave the frames readable,
   * with the reason ({@link DecodedImage#dicomAttributesError}).
   */
  public List<DecodedImage> read(byte[] data, String name) throws InvalidImageException {
    DicomFrames frames = frames(data, name);
    DicomAttributes attributes = null;
    InvalidImageException error = null;
    try {
      attributes = DicomAttributes.of(frames.header(), data, name);
    } catch (InvalidImageException e) {
      error = e;
    }
    List<DecodedImage> images = new ArrayList<>(frames.count());
    for (int f = 0; f < frames.count(); f++) {
      images.add(frames.image(f).withDicomAttributes(attributes, error));
    }
    return List.copyOf(images);
  }

  /** The checked file, its frames decoded on request; every limit is checked here, before any pixel is read. */
  DicomFrames frames(byte[] data, String name) throws InvalidImageException {
    if (!isDicom(data)) {
      throw new InvalidImageException(name + ": not a DICOM Part 10 file (no DICM preamble)");
    }
    return new DicomFrames(DicomHeader.parse(data, name, maxPixels, maxFrames, minFrameSide), data, name);
  }
}
