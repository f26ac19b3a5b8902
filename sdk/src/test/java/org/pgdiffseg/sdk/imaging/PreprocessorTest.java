package org.pgdiffseg.sdk.imaging;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

class PreprocessorTest {
  private static DecodedImage constant(int width, int height, float value) {
    float[] gray = new float[width * height];
    Arrays.fill(gray, value);
    return new DecodedImage("constant", ImageFormat.PNG, width, height, 1, 8, gray);
  }

  private static void assertAllCloseTo(float[] values, float expected) {
    float[] filled = new float[values.length];
    Arrays.fill(filled, expected);
    assertThat(values).containsExactly(filled, within(1e-6f));
  }

  @Test
  void windowMapsOntoOutputRange() {
    Preprocessor preprocessor = new Preprocessor(PreprocessSpec.busi128());

    // Area resampling sums float32 weights, so a constant image comes back within a few ulps.
    assertAllCloseTo(preprocessor.preprocess(constant(50, 70, 30f)), -1f);
    assertAllCloseTo(preprocessor.preprocess(constant(50, 70, 235f)), 1f);
    assertAllCloseTo(preprocessor.preprocess(constant(50, 70, 0f)), -1f); // clipped below
    assertAllCloseTo(preprocessor.preprocess(constant(50, 70, 255f)), 1f); // clipped above
    assertAllCloseTo(preprocessor.preprocess(constant(50, 70, 132.5f)), 0f);
  }

  @Test
  void writesIntoABatchAtAnOffsetWithoutTouchingTheRest() {
    PreprocessSpec spec = new PreprocessSpec(4, 6, 0, 255, 0, 1, "area");
    Preprocessor preprocessor = new Preprocessor(spec);
    float[] batch = new float[3 * spec.pixels()];
    Arrays.fill(batch, -7f);

    preprocessor.preprocess(constant(13, 9, 51f), batch, spec.pixels());

    assertThat(Arrays.copyOfRange(batch, 0, spec.pixels())).containsOnly(-7f);
    assertAllCloseTo(Arrays.copyOfRange(batch, spec.pixels(), 2 * spec.pixels()), 0.2f);
    assertThat(Arrays.copyOfRange(batch, 2 * spec.pixels(), batch.length)).containsOnly(-7f);
  }

  @Test
  void outputIsRowMajorHeightByWidth() {
    // Left half dark, right half bright: the first row of the 2 x 4 output is [lo, lo, hi, hi].
    float[] gray = new float[8 * 6];
    for (int y = 0; y < 6; y++) {
      for (int x = 4; x < 8; x++) {
        gray[y * 8 + x] = 255f;
      }
    }
    DecodedImage image = new DecodedImage("halves", ImageFormat.PNG, 8, 6, 1, 8, gray);
    float[] out = new Preprocessor(new PreprocessSpec(2, 4, 0, 255, 0, 1, "area")).preprocess(image);

    assertThat(out).containsExactly(0f, 0f, 1f, 1f, 0f, 0f, 1f, 1f);
  }

  @Test
  void refusesAnOutputArrayThatIsTooSmall() {
    Preprocessor preprocessor = new Preprocessor(PreprocessSpec.busi128());
    assertThatThrownBy(() -> preprocessor.preprocess(constant(8, 8, 1f), new float[128 * 128], 1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("cannot hold 16384 from offset 1");
  }

  @Test
  void specRejectsUnknownInterpolationAndEmptyWindow() {
    assertThatThrownBy(() -> new PreprocessSpec(128, 128, 30, 235, -1, 1, "bicubic-ish"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("bicubic-ish")
        .hasMessageContaining("area");
    assertThatThrownBy(() -> new PreprocessSpec(128, 128, 235, 30, -1, 1, "area"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("windowLow < windowHigh");
  }
}
