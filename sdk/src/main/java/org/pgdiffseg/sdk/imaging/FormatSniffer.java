package org.pgdiffseg.sdk.imaging;

import java.util.Locale;
import java.util.Optional;

/**
 * The one decision of what format a file is, used by every reader and by folder listings alike: the magic
 * number at byte 0 first (PNG, JPEG, BMP, TIFF), then the DICOM preamble ("DICM" at byte 128), then the file
 * name's extension. Magic numbers win because a DICOM preamble is 128 free bytes and a PNG, JPEG or TIFF may
 * carry "DICM" at byte 128 in its own metadata, while no DICOM reader looks at a preamble's content.
 */
public final class FormatSniffer {
  /** Bytes of a file's start that decide its format. */
  public static final int HEAD_BYTES = 132;

  private FormatSniffer() {}

  /**
   * The format of a file starting with {@code head} (its first {@link #HEAD_BYTES} bytes or more) and named
   * {@code fileName}; empty when neither its content nor its extension names one.
   */
  public static Optional<ImageFormat> detect(byte[] head, String fileName) {
    ImageFormat byMagic = byMagicNumber(head);
    if (byMagic != null) {
      return Optional.of(byMagic);
    }
    if (DicomReader.isDicom(head)) {
      return Optional.of(ImageFormat.DICOM);
    }
    return Optional.ofNullable(byExtension(fileName));
  }

  private static ImageFormat byMagicNumber(byte[] d) {
    if (starts(d, 0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n')) {
      return ImageFormat.PNG;
    }
    if (starts(d, 0xFF, 0xD8, 0xFF)) {
      return ImageFormat.JPEG;
    }
    if (starts(d, 'B', 'M')) {
      return ImageFormat.BMP;
    }
    // classic TIFF (42) and BigTIFF (43), in either byte order
    if (starts(d, 'I', 'I', 42, 0) || starts(d, 'M', 'M', 0, 42) || starts(d, 'I', 'I', 43, 0)
        || starts(d, 'M', 'M', 0, 43)) {
      return ImageFormat.TIFF;
    }
    return null;
  }

  private static ImageFormat byExtension(String fileName) {
    String name = fileName == null ? "" : fileName;
    int slash = Math.max(name.lastIndexOf('/'), name.lastIndexOf('\\'));
    int dot = name.lastIndexOf('.');
    if (dot <= slash + 1) {
      return null;
    }
    return switch (name.substring(dot + 1).toLowerCase(Locale.ROOT)) {
      case "png" -> ImageFormat.PNG;
      case "jpg", "jpeg" -> ImageFormat.JPEG;
      case "bmp" -> ImageFormat.BMP;
      case "tif", "tiff" -> ImageFormat.TIFF;
      case "dcm", "dicom" -> ImageFormat.DICOM;
      default -> null;
    };
  }

  private static boolean starts(byte[] d, int... signature) {
    if (d.length < signature.length) {
      return false;
    }
    for (int i = 0; i < signature.length; i++) {
      if ((d[i] & 0xFF) != signature[i]) {
        return false;
      }
    }
    return true;
  }
}
