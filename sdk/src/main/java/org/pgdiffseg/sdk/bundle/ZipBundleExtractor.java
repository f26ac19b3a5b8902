package org.pgdiffseg.sdk.bundle;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Enumeration;
import java.util.HashSet;
import java.util.Locale;
import java.util.Set;
import java.util.zip.ZipEntry;
import org.apache.commons.compress.archivers.zip.ZipArchiveEntry;
import org.apache.commons.compress.archivers.zip.ZipFile;
import org.pgdiffseg.sdk.BundleException;

/**
 * Unpacks a zipped bundle into a folder, refusing entries that would escape it ({@code ../}, absolute
 * paths, symbolic links), entries whose name appears twice, and archives over the {@link ZipLimits}. Thread-safe (stateless).
 */
final class ZipBundleExtractor {
  private ZipBundleExtractor() {}

  /**
   * Extracts {@code zip} into the empty folder {@code target}. A zip holding a single top-level folder is
   * unpacked from inside that folder, so both "bundle.json at the root" and "one folder" layouts work.
   */
  static Path extract(Path zip, Path target, ZipLimits limits) throws BundleException {
    try {
      long size = Files.size(zip);
      if (size > limits.maxZipBytes()) {
        throw new BundleException(zip + ": zip is " + size + " bytes, over the limit of " + limits.maxZipBytes());
      }
      // The channel is ours to close: ZipFile leaves it open when it fails to read a corrupt archive.
      try (SeekableByteChannel channel = Files.newByteChannel(zip);
          ZipFile file = ZipFile.builder().setSeekableByteChannel(channel).get()) {
        String prefix = commonFolder(file);
        long total = 0;
        int entries = 0;
        Path root = target.toAbsolutePath().normalize();
        // Two entries of one name would let the second replace what the first put there (a second bundle.json
        // after the one a reviewer read); case is ignored because many file systems ignore it too.
        Set<String> seen = new HashSet<>();
        for (Enumeration<ZipArchiveEntry> e = file.getEntries(); e.hasMoreElements(); ) {
          ZipArchiveEntry entry = e.nextElement();
          if (++entries > limits.maxEntries()) {
            throw new BundleException(zip + ": more than " + limits.maxEntries() + " entries");
          }
          String name = entry.getName();
          if (entry.isUnixSymlink()) {
            throw new BundleException(zip + ": entry '" + name + "' is a symbolic link; bundles may not contain links");
          }
          if (name.startsWith("/") || name.startsWith("\\") || name.matches("^[A-Za-z]:.*")) {
            throw new BundleException(zip + ": entry '" + name + "' has an absolute path");
          }
          Path out;
          try {
            out = root.resolve(name.substring(prefix.length())).normalize();
          } catch (InvalidPathException bad) {
            throw new BundleException(zip + ": entry '" + name.replace("\0", "\\0") + "' is not a valid file name: "
                + bad.getReason());
          }
          if (!out.startsWith(root) || name.contains("..")) {
            throw new BundleException(zip + ": entry '" + name + "' escapes the bundle folder");
          }
          if (!seen.add(out.toString().toLowerCase(Locale.ROOT))) {
            throw new BundleException(zip + ": entry '" + name + "' appears twice; a bundle zip holds each file once");
          }
          if (entry.isDirectory()) {
            Files.createDirectories(out);
            continue;
          }
          // Bundles are stored or deflated; other methods would reach codecs that are optional (zstd, xz) or absent.
          if (entry.getMethod() != ZipEntry.STORED && entry.getMethod() != ZipEntry.DEFLATED) {
            throw new BundleException(zip + ": entry '" + name + "' uses compression method " + entry.getMethod()
                + "; bundles must be stored or deflated");
          }
          if (entry.getSize() > limits.maxEntryBytes()) {
            throw new BundleException(zip + ": entry '" + name + "' declares " + entry.getSize()
                + " bytes, over the limit of " + limits.maxEntryBytes());
          }
          Files.createDirectories(out.getParent());
          try (InputStream in = file.getInputStream(entry);
              OutputStream os = Files.newOutputStream(out, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            total += copyBounded(in, os, Math.min(limits.maxEntryBytes(), limits.maxTotalBytes() - total), zip, name);
          }
        }
      }
      return target;
    } catch (IOException e) {
      throw new BundleException(zip + ": cannot read zip: " + e.getMessage(), e);
    }
  }

  /** The single top-level folder all entries share ("name/"), or "" when there is none. */
  private static String commonFolder(ZipFile file) {
    String prefix = null;
    for (Enumeration<ZipArchiveEntry> e = file.getEntries(); e.hasMoreElements(); ) {
      String name = e.nextElement().getName();
      int slash = name.indexOf('/');
      String top = slash < 0 ? "" : name.substring(0, slash + 1);
      if (top.isEmpty() || (prefix != null && !prefix.equals(top))) {
        return "";
      }
      prefix = top;
    }
    return prefix == null || prefix.equals("../") ? "" : prefix;
  }

  private static long copyBounded(InputStream in, OutputStream out, long limit, Path zip, String name)
      throws IOException, BundleException {
    byte[] buffer = new byte[1 << 16];
    long written = 0;
    for (int n; (n = in.read(buffer)) > 0; ) {
      written += n;
      if (written > limit) {
        throw new BundleException(zip + ": entry '" + name + "' inflates past the size limit of " + limit + " bytes");
      }
      out.write(buffer, 0, n);
    }
    return written;
  }
}
