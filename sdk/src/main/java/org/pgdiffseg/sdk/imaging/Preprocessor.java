package org.pgdiffseg.sdk.imaging;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;
import static org.bytedeco.opencv.global.opencv_core.CV_32FC1;
import static org.bytedeco.opencv.global.opencv_imgproc.resize;

import java.nio.FloatBuffer;
import org.bytedeco.opencv.opencv_core.Mat;
import org.bytedeco.opencv.opencv_core.Size;

/**
 * Turns a {@link DecodedImage} into the model's input, row-major {@code [height, width]}, with the same steps
 * and float32 arithmetic as the training code:
 *
 * <pre>
 * f = clip(gray, windowLow, windowHigh)
 * f = cv2.resize(f, (width, height), interpolation)        # aspect ratio not kept
 * x = (f - windowLow) / (windowHigh - windowLow) * (outHigh - outLow) + outLow
 * </pre>
 *
 * <p>Immutable and thread-safe; each call uses its own native buffers.
 */
public final class Preprocessor {
  private final PreprocessSpec spec;
  private final int interpolationFlag;

  public Preprocessor(PreprocessSpec spec) {
    this.spec = checkNotNull(spec, "spec");
    this.interpolationFlag = spec.interpolationMode().openCvFlag();
  }

  public PreprocessSpec spec() {
    return spec;
  }

  /** Preprocesses into a new array of {@link PreprocessSpec#pixels()} floats. */
  public float[] preprocess(DecodedImage image) {
    float[] out = new float[spec.pixels()];
    preprocess(image, out, 0);
    return out;
  }

  /**
   * Writes {@link PreprocessSpec#pixels()} floats into {@code out} starting at {@code offset}, so a batch
   * (e.g. an ensemble) can be filled in place.
   */
  public void preprocess(DecodedImage image, float[] out, int offset) {
    checkNotNull(image, "image");
    checkNotNull(out, "out");
    int count = spec.pixels();
    checkArgument(
        offset >= 0 && (long) offset + count <= out.length,
        "out has %s floats, cannot hold %s from offset %s", out.length, count, offset);
    // float32 throughout, operation by operation, as numpy evaluates float32 arrays with Python scalars.
    float low = (float) spec.windowLow();
    float high = (float) spec.windowHigh();
    float[] gray = image.grayArray();
    try (Mat clipped = new Mat(image.height(), image.width(), CV_32FC1);
        Mat resized = new Mat();
        Size size = new Size(spec.width(), spec.height())) {
      FloatBuffer clippedValues = clipped.createBuffer();
      for (int i = 0; i < gray.length; i++) {
        clippedValues.put(i, Math.min(Math.max(gray[i], low), high));
      }
      resize(clipped, resized, size, 0, 0, interpolationFlag);
      FloatBuffer resizedValues = resized.createBuffer();
      resizedValues.get(0, out, offset, count);
    }
    float windowWidth = (float) (spec.windowHigh() - spec.windowLow());
    float outWidth = (float) (spec.outHigh() - spec.outLow());
    float outLow = (float) spec.outLow();
    for (int i = offset; i < offset + count; i++) {
      out[i] = (out[i] - low) / windowWidth * outWidth + outLow;
    }
  }
}
