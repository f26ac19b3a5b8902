package org.pgdiffseg.sdk.imaging;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import org.pgdiffseg.sdk.InvalidImageException;

/**
 * Reads an image file's bytes, refusing what is not a regular file (a FIFO would block forever, a device such
 * as /dev/zero never ends) and files larger than an image within the pixel limit can be, before reading them.
 */
public final class ImageFiles {
  /** Bytes per pixel of the largest uncompressed layout accepted (32-bit samples, 3 per pixel). */
  private static final long MAX_BYTES_PER_PIXEL = 12;
  /** Room for headers, metadata and padding beyond the pixels. */
  private static final long OVERHEAD_BYTES = 16L << 20;

  private ImageFiles() {}

  /** The largest file an image of at most {@code maxPixels} pixels is read from. */
  public static long maxFileBytes(long maxPixels) {
    long bytes = maxPixels > (Long.MAX_VALUE - OVERHEAD_BYTES) / MAX_BYTES_PER_PIXEL
        ? Long.MAX_VALUE : maxPixels * MAX_BYTES_PER_PIXEL + OVERHEAD_BYTES;
    return Math.min(bytes, Integer.MAX_VALUE - 16);
  }

  /** The bytes of {@code file}; every refusal names the file and the reason. */
  public static byte[] read(Path file, long maxPixels) throws InvalidImageException {
    long limit = maxFileBytes(maxPixels);
    BasicFileAttributes attributes;
    try {
      attributes = Files.readAttributes(file, BasicFileAttributes.class);
    } catch (NoSuchFileException e) {
      throw new InvalidImageException(file, "no such file", e);
    } catch (IOException e) {
      throw new InvalidImageException(file, "cannot read the file: " + e.getMessage(), e);
    }
    if (attributes.isDirectory()) {
      throw new InvalidImageException(file, "is a directory, not an image file");
    }
    if (!attributes.isRegularFile()) {
      throw new InvalidImageException(file, "is not a regular file (a device, FIFO or socket); only files are read");
    }
    if (attributes.size() > limit) {
      throw new InvalidImageException(file, "file of " + attributes.size() + " bytes is larger than any image within"
          + " the pixel limit of " + maxPixels + " pixels (at most " + limit + " bytes)");
    }
    try (InputStream in = Files.newInputStream(file)) {
      byte[] data = in.readNBytes((int) limit + 1);   // the file may grow while it is read
      if (data.length > limit) {
        throw new InvalidImageException(file, "file grew past " + limit + " bytes while it was read");
      }
      return data;
    } catch (AccessDeniedException e) {
      throw new InvalidImageException(file, "permission denied, cannot read the file", e);
    } catch (IOException e) {
      throw new InvalidImageException(file, "cannot read the file: " + e.getMessage(), e);
    }
  }
}
