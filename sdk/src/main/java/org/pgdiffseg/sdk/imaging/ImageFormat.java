package org.pgdiffseg.sdk.imaging;

/** The container formats {@link ImageDecoder} accepts, recognised by their leading bytes, not the file name. */
public enum ImageFormat {
  PNG,
  JPEG,
  BMP,
  TIFF,
  /** DICOM Part 10 file (read by {@link DicomReader}, one image per frame). */
  DICOM
}
