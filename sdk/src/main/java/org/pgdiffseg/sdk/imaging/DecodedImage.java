package org.pgdiffseg.sdk.imaging;

import static com.google.common.base.Preconditions.checkArgument;

import java.nio.FloatBuffer;
import java.util.Optional;
import org.pgdiffseg.sdk.InvalidImageException;

/**
 * A decoded image reduced to one gray channel of float32 intensities on the 0..255 scale, row-major
 * {@code [height, width]}, at the original size; plus what the file was (format, channels, bit depth) and, for a
 * DICOM file, its attributes (read once per file and shared by its frames), which give the pixel size that
 * measurements in millimetres need.
 *
 * <p>The pixels live on the Java heap, so the image owns no native memory and needs no closing. Immutable and
 * thread-safe: {@link #gray()} is a read-only view and {@link #grayCopy()} a copy.
 */
public final class DecodedImage {
  private final String name;
  private final ImageFormat format;
  private final int width;
  private final int height;
  private final int sourceChannels;
  private final int sourceBitDepth;
  private final float[] gray;
  /** The DICOM file's attributes; null for other formats or when they could not be read. */
  private final DicomAttributes dicomAttributes;
  /** Why a DICOM file's attributes could not be read; null otherwise. */
  private final InvalidImageException dicomAttributesError;

  DecodedImage(
      String name, ImageFormat format, int width, int height, int sourceChannels, int sourceBitDepth, float[] gray) {
    this(name, format, width, height, sourceChannels, sourceBitDepth, gray, null, null);
  }

  private DecodedImage(String name, ImageFormat format, int width, int height, int sourceChannels,
      int sourceBitDepth, float[] gray, DicomAttributes dicomAttributes, InvalidImageException dicomAttributesError) {
    checkArgument(width > 0 && height > 0, "size must be positive, got %s x %s", width, height);
    checkArgument(
        gray.length == (long) width * height, "gray has %s values, expected %s x %s", gray.length, width, height);
    this.name = name;
    this.format = format;
    this.width = width;
    this.height = height;
    this.sourceChannels = sourceChannels;
    this.sourceBitDepth = sourceBitDepth;
    this.gray = gray;
    this.dicomAttributes = dicomAttributes;
    this.dicomAttributesError = dicomAttributesError;
  }

  /** This image with its DICOM file's attributes, or the reason they could not be read; the pixels are shared. */
  DecodedImage withDicomAttributes(DicomAttributes attributes, InvalidImageException error) {
    return new DecodedImage(name, format, width, height, sourceChannels, sourceBitDepth, gray, attributes, error);
  }

  /** The attributes of the DICOM file this image came from; empty for other formats or when they are unreadable. */
  public Optional<DicomAttributes> dicomAttributes() {
    return Optional.ofNullable(dicomAttributes);
  }

  /** Why the attributes of this image's DICOM file could not be read; empty when they were, or it is no DICOM. */
  public Optional<InvalidImageException> dicomAttributesError() {
    return Optional.ofNullable(dicomAttributesError);
  }

  /** The file path or caller-given name the image was decoded from; used in messages. */
  public String name() {
    return name;
  }

  public ImageFormat format() {
    return format;
  }

  /** Original width in pixels. */
  public int width() {
    return width;
  }

  /** Original height in pixels. */
  public int height() {
    return height;
  }

  /** Channels as stored in the file (1 gray, 2 gray+alpha, 3 colour, 4 colour+alpha) before conversion to gray. */
  public int sourceChannels() {
    return sourceChannels;
  }

  /** Bits per sample as stored in the file: 8 or 16. */
  public int sourceBitDepth() {
    return sourceBitDepth;
  }

  /** Read-only view of the gray intensities, row-major {@code [height, width]}, 0..255 scale. */
  public FloatBuffer gray() {
    return FloatBuffer.wrap(gray).asReadOnlyBuffer();
  }

  /** A copy of the gray intensities, row-major {@code [height, width]}, 0..255 scale. */
  public float[] grayCopy() {
    return gray.clone();
  }

  /** Intensity at column {@code x}, row {@code y}. */
  public float grayAt(int x, int y) {
    checkArgument(x >= 0 && x < width && y >= 0 && y < height, "(%s, %s) outside %s x %s", x, y, width, height);
    return gray[y * width + x];
  }

  /** The backing array, for this package's own read-only use without a copy. */
  float[] grayArray() {
    return gray;
  }

  @Override
  public String toString() {
    return "DecodedImage[" + name + ", " + format + ", " + width + " x " + height + ", " + sourceChannels
        + " channel(s), " + sourceBitDepth + "-bit]";
  }
}
