package org.pgdiffseg.sdk.dicom;

import static com.google.common.base.Preconditions.checkArgument;

/**
 * The model that made a segmentation, as a Segmentation names it: Algorithm Version (0066,0031) is
 * "{@code modelId} {@code version}" (a bundle's id and version, e.g. "pgdiffseg-busi-128 1.2.0").
 */
public record SegmentAlgorithm(String modelId, String version) {
  public SegmentAlgorithm {
    checkArgument(modelId != null && !modelId.isBlank(), "modelId must not be blank");
    checkArgument(version != null && !version.isBlank(), "version must not be blank");
  }

  /** The Algorithm Version written: the id and version, cut to the 64 characters an LO holds. */
  String algorithmVersion() {
    String v = modelId + " " + version;
    return v.length() > 64 ? v.substring(0, 64) : v;
  }
}
