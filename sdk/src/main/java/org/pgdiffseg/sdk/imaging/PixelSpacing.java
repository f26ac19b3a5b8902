package org.pgdiffseg.sdk.imaging;

import static com.google.common.base.Preconditions.checkArgument;

/**
 * The physical size of a pixel, in millimetres, as DICOM's Pixel Spacing (0028,0030) states it: first the
 * distance between rows (the height of a pixel), then between columns (its width). Immutable.
 */
public record PixelSpacing(double rowMm, double columnMm) {
  public PixelSpacing {
    checkArgument(Double.isFinite(rowMm) && rowMm > 0 && Double.isFinite(columnMm) && columnMm > 0,
        "pixel spacing must be positive and finite, got %s \\ %s mm", rowMm, columnMm);
  }
}
