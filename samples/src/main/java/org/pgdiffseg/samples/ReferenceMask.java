package org.pgdiffseg.samples;

import java.nio.file.Files;
import java.nio.file.Path;
import org.pgdiffseg.sdk.InvalidImageException;
import org.pgdiffseg.sdk.imaging.BinaryMask;
import org.pgdiffseg.sdk.imaging.DecodedImage;
import org.pgdiffseg.sdk.imaging.ImageDecoder;

/**
 * A reference mask for evaluation: a binary image, 0/255 or 0/1. Anything else (a gray image, a JPEG's
 * compression noise, an image folder given as --masks) is refused with the values found, rather than scored:
 * images scored against themselves give plausible numbers that mean nothing.
 */
final class ReferenceMask {
  private ReferenceMask() {}

  /**
   * The mask of {@code file} as 0/255 (lesion where the file is 1 or 255); refused when missing, not binary or not
   * {@code width x height} (the size of the image it belongs to).
   */
  static BinaryMask read(ImageDecoder decoder, Path file, int width, int height) throws InvalidImageException {
    if (!Files.exists(file)) {
      throw new InvalidImageException(file, "missing reference mask (eval looks for the image's file name in"
          + " --masks); this image is left out of the means");
    }
    DecodedImage mask = decoder.decode(file);
    int w = mask.width();
    int h = mask.height();
    if (w != width || h != height) {
      throw new InvalidImageException(file, "reference mask is " + w + " x " + h + " but its image is " + width
          + " x " + height);
    }
    float max = 0;
    for (int i = 0; i < w * h; i++) {
      float v = mask.grayAt(i % w, i / w);
      if (v != 0 && v != 1 && v != 255) {
        throw new InvalidImageException(file, String.format(java.util.Locale.ROOT, "not a binary mask: pixel (%d, %d)"
            + " is %.1f, expected 0/255 or 0/1 (are --images and --masks swapped?)", i % w, i / w, v));
      }
      max = Math.max(max, v);
    }
    if (max == 255) {
      for (int i = 0; i < w * h; i++) {
        if (mask.grayAt(i % w, i / w) == 1) {
          throw new InvalidImageException(file, "not a binary mask: it mixes 0, 1 and 255");
        }
      }
    }
    byte[] lesion = new byte[w * h];
    for (int i = 0; i < lesion.length; i++) {
      lesion[i] = mask.grayAt(i % w, i / w) > 0 ? (byte) 255 : 0;
    }
    return new BinaryMask(w, h, lesion);
  }
}
