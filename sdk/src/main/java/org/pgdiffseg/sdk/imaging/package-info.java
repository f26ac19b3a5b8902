/**
 * Images in and masks out: decoding (PNG, JPEG, BMP, TIFF, DICOM) with sizes and structure checked before any
 * pixel is decompressed, the model's preprocessing (OpenCV, matching the training code), the ensemble mean,
 * thresholds, resizing back and overlays.
 */
package org.pgdiffseg.sdk.imaging;
