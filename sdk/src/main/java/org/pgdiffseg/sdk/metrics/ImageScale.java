package org.pgdiffseg.sdk.metrics;

import org.pgdiffseg.sdk.InvalidImageException;
import org.pgdiffseg.sdk.imaging.BinaryMask;
import org.pgdiffseg.sdk.imaging.DecodedImage;
import org.pgdiffseg.sdk.imaging.DicomAttributes;
import org.pgdiffseg.sdk.imaging.DicomReader;

/**
 * What an image file says about its scale, read once per file: the DICOM attributes of a DICOM file (which
 * {@link ScaledMeasurements} turns into a pixel size per lesion, and a Segmentation references), or why there
 * are none. Immutable.
 *
 * @param attributes the file's DICOM attributes; null when it is not DICOM or they could not be read
 * @param error why the attributes of a DICOM file could not be read; null otherwise
 */
public record ImageScale(DicomAttributes attributes, InvalidImageException error) {
  /** Said of a file that is not DICOM. */
  public static final String NOT_DICOM = "none: the file is not DICOM, so it states no pixel size";

  /** The scale of the file whose bytes are {@code data}; {@code name} names it in messages. */
  public static ImageScale of(byte[] data, String name) {
    if (!DicomReader.isDicom(data)) {
      return new ImageScale(null, null);
    }
    try {
      return new ImageScale(DicomAttributes.read(data, name), null);
    } catch (InvalidImageException e) {
      return new ImageScale(null, e);
    }
  }

  /**
   * The scale of the file {@code image} was decoded from, from the attributes its decoder read with it: a DICOM
   * file's frames carry them (or why they could not be read), other formats none.
   */
  public static ImageScale of(DecodedImage image) {
    return new ImageScale(image.dicomAttributes().orElse(null), image.dicomAttributesError().orElse(null));
  }

  /** True for a DICOM file, whether or not its attributes could be read. */
  public boolean dicom() {
    return attributes != null || error != null;
  }

  /** {@code mask}'s lesions, in mm where the file states the pixel size for the largest of them. */
  public ScaledMeasurements measure(BinaryMask mask) {
    return ScaledMeasurements.of(mask, attributes,
        error != null ? "none: " + error.getMessage() : NOT_DICOM);
  }
}
