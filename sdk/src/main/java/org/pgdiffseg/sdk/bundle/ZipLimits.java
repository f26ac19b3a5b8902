package org.pgdiffseg.sdk.bundle;

import static com.google.common.base.Preconditions.checkArgument;

/** Bounds on a zipped bundle, checked against both the declared and the actually inflated sizes. */
public record ZipLimits(long maxZipBytes, long maxEntryBytes, long maxTotalBytes, int maxEntries) {
  /** Generous for a PGDiffSeg bundle (the paper-size model is ~250 MB) and still far from a zip bomb. */
  public static final ZipLimits DEFAULT = new ZipLimits(1L << 30, 1L << 30, 2L << 30, 10_000);

  public ZipLimits {
    checkArgument(maxZipBytes > 0 && maxEntryBytes > 0 && maxTotalBytes > 0 && maxEntries > 0,
        "zip limits must be positive");
  }
}
