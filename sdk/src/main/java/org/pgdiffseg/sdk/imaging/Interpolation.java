package org.pgdiffseg.sdk.imaging;

import static org.bytedeco.opencv.global.opencv_imgproc.INTER_AREA;
import static org.bytedeco.opencv.global.opencv_imgproc.INTER_CUBIC;
import static org.bytedeco.opencv.global.opencv_imgproc.INTER_LANCZOS4;
import static org.bytedeco.opencv.global.opencv_imgproc.INTER_LINEAR;
import static org.bytedeco.opencv.global.opencv_imgproc.INTER_NEAREST;
import static org.bytedeco.opencv.global.opencv_imgproc.INTER_NEAREST_EXACT;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/** OpenCV resize interpolations, named as a bundle manifest names them ({@code "area"}, {@code "linear"}, ...). */
public enum Interpolation {
  NEAREST("nearest", INTER_NEAREST),
  NEAREST_EXACT("nearest-exact", INTER_NEAREST_EXACT),
  LINEAR("linear", INTER_LINEAR),
  CUBIC("cubic", INTER_CUBIC),
  AREA("area", INTER_AREA),
  LANCZOS4("lanczos4", INTER_LANCZOS4);

  private final String manifestName;
  private final int openCvFlag;

  Interpolation(String manifestName, int openCvFlag) {
    this.manifestName = manifestName;
    this.openCvFlag = openCvFlag;
  }

  /** The name used in manifests and {@link PreprocessSpec#interpolation()}. */
  public String manifestName() {
    return manifestName;
  }

  int openCvFlag() {
    return openCvFlag;
  }

  /** Parses a manifest name, case-insensitively; {@code IllegalArgumentException} lists the accepted names. */
  public static Interpolation fromName(String name) {
    String key = name.trim().toLowerCase(Locale.ROOT);
    for (Interpolation i : values()) {
      if (i.manifestName.equals(key)) {
        return i;
      }
    }
    throw new IllegalArgumentException(
        "Unknown interpolation \"" + name + "\", expected one of "
            + Arrays.stream(values()).map(Interpolation::manifestName).collect(Collectors.joining(", ", "[", "]")));
  }
}
