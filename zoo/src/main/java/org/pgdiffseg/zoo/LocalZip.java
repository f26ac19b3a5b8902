package org.pgdiffseg.zoo;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import org.pgdiffseg.sdk.BundleException;

/**
 * Copies a bundle zip given as a local path under the same size limit as a download: only a regular file is
 * opened (a device such as /dev/zero never ends, a FIFO blocks the reader), and the copy stops at the limit even
 * if the file grows while it is read.
 */
final class LocalZip {
  private LocalZip() {}

  static long copy(Path source, Path out, long maxBytes) throws BundleException {
    BasicFileAttributes attributes;
    try {
      attributes = Files.readAttributes(source, BasicFileAttributes.class);
    } catch (IOException e) {
      throw new BundleException(source + ": cannot read: " + e.getMessage(), e);
    }
    if (!attributes.isRegularFile()) {
      throw new BundleException(source + ": not a regular file (" + kind(attributes)
          + "); a bundle zip must be a regular file, not opened");
    }
    if (attributes.size() > maxBytes) {
      throw new BundleException(source + ": " + attributes.size() + " bytes, over the limit of " + maxBytes
          + " bytes for a bundle zip");
    }
    try (InputStream in = Files.newInputStream(source);
        OutputStream os = Files.newOutputStream(out, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
      byte[] buffer = new byte[1 << 16];
      long copied = 0;
      for (int n; (n = in.read(buffer)) > 0; ) {
        copied += n;
        if (copied > maxBytes) {
          throw new BundleException(source + ": grew past the limit of " + maxBytes
              + " bytes for a bundle zip while it was copied");
        }
        os.write(buffer, 0, n);
      }
      return copied;
    } catch (IOException e) {
      throw new BundleException(source + ": cannot copy: " + e.getMessage(), e);
    }
  }

  private static String kind(BasicFileAttributes attributes) {
    return attributes.isDirectory() ? "a folder" : "a device, FIFO or socket";
  }
}
