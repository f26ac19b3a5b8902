package org.pgdiffseg.sdk.imaging;

/** The container formats {@link ImageDecoder} accepts, recognised by their leading bytes, not the file name. */
public enum ImageFormat {
  PNG,
  JPEG,
  BMP,
  TIFF
}
