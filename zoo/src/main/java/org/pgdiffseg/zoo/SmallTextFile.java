package org.pgdiffseg.zoo;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import org.pgdiffseg.sdk.BundleException;

/**
 * Reads a text file that a bundle may carry without listing it (a model card): only a regular file, never through
 * a link (one to /dev/zero never ends, a FIFO blocks), and at most a bounded number of bytes, saying so when the
 * text is cut.
 */
public final class SmallTextFile {
  /** Larger than any model card; small enough to print. */
  public static final int MAX_BYTES = 1 << 20;

  private SmallTextFile() {}

  /** The file's text, cut at {@link #MAX_BYTES} with a closing line that says so. */
  public static String read(Path file) throws BundleException {
    return read(file, MAX_BYTES);
  }

  static String read(Path file, int maxBytes) throws BundleException {
    BasicFileAttributes attributes;
    try {
      attributes = Files.readAttributes(file, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
    } catch (IOException e) {
      throw new BundleException(file + ": cannot read: " + e.getMessage(), e);
    }
    if (attributes.isSymbolicLink()) {
      throw new BundleException(file + ": a symbolic link; not read (only a regular file in the bundle is shown)");
    }
    if (!attributes.isRegularFile()) {
      throw new BundleException(file + ": not a regular file (a folder, device, FIFO or socket); not read");
    }
    byte[] head;
    try (InputStream in = Files.newInputStream(file, LinkOption.NOFOLLOW_LINKS)) {
      head = in.readNBytes(maxBytes + 1);
    } catch (IOException e) {
      throw new BundleException(file + ": cannot read: " + e.getMessage(), e);
    }
    if (head.length <= maxBytes) {
      return new String(head, StandardCharsets.UTF_8);
    }
    return new String(head, 0, maxBytes, StandardCharsets.UTF_8) + "\n[" + file + " is cut here: "
        + attributes.size() + " bytes, only the first " + maxBytes + " are shown]";
  }
}
