package org.pgdiffseg.sdk.imaging;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MaskPostprocessorTest {
  @TempDir Path dir;

  /** Probability map from rows of '#' (1.0) and '.' (0.0). */
  private static float[] map(String... rows) {
    float[] values = new float[rows.length * rows[0].length()];
    for (int y = 0; y < rows.length; y++) {
      for (int x = 0; x < rows[y].length(); x++) {
        values[y * rows[0].length() + x] = rows[y].charAt(x) == '#' ? 1f : 0f;
      }
    }
    return values;
  }

  @Test
  void thresholdIncludesValuesEqualToIt() {
    float[] p = {0.49f, 0.5f, 0.51f, 1f};
    BinaryMask mask = MaskPostprocessor.thresholdOnly(0.5).toMask(p, 1, 4, 1, 4);
    assertThat(mask.pixels()).containsExactly(0, (byte) 255, (byte) 255, (byte) 255);
    assertThat(mask.lesionPixels()).isEqualTo(3);
    assertThat(mask.lesionFraction()).isCloseTo(0.75, within(1e-12));
  }

  @Test
  void keepsTheLargestEightConnectedComponent() {
    float[] p = map(
        "##.....",
        ".#.....",  // diagonal neighbours join under 8-connectivity: this is one 4-pixel component
        "..#...#",
        "......#");
    BinaryMask mask = new MaskPostprocessor(0.5, true, false).toMask(p, 4, 7, 4, 7);
    assertThat(mask.lesionPixels()).isEqualTo(4);
    assertThat(mask.valueAt(6, 2)).isZero();
    assertThat(mask.valueAt(2, 2)).isEqualTo(255);
  }

  @Test
  void fillsEnclosedHolesButNotBackgroundTouchingTheBorder() {
    float[] p = map(
        "........",
        ".####...",
        ".#..#...",
        ".####.#.",
        "......#.",
        "......#.",
        "......#.",
        "......##");
    BinaryMask mask = new MaskPostprocessor(0.5, false, true).toMask(p, 8, 8, 8, 8);
    assertThat(mask.valueAt(2, 2)).isEqualTo(255);
    assertThat(mask.valueAt(3, 2)).isEqualTo(255);
    assertThat(mask.valueAt(0, 0)).isZero();
    assertThat(mask.valueAt(7, 0)).isZero();
    assertThat(mask.lesionPixels()).isEqualTo(10 + 2 + 6);
  }

  @Test
  void resizesToTheOriginalSize() {
    float[] p = map("##..", "##..");
    BinaryMask mask = MaskPostprocessor.thresholdOnly(0.5).toMask(p, 2, 4, 5, 9);
    assertThat(mask.width()).isEqualTo(9);
    assertThat(mask.height()).isEqualTo(5);
    assertThat(mask.valueAt(0, 4)).isEqualTo(255);
    assertThat(mask.valueAt(8, 0)).isZero();
  }

  @Test
  void ensembleProbabilityIsTheClippedMeanOfRescaledSamples() {
    float[] x0 = {-1f, 1f, 1.4f, -1f, /* second sample */ 1f, 1f, 1.4f, -3f};
    float[] probability = new float[4];
    MaskPostprocessor.ensembleProbability(x0, 2, probability);
    assertThat(probability).containsExactly(0.5f, 1f, 1f, 0f);
    assertThatThrownBy(() -> MaskPostprocessor.ensembleProbability(x0, 3, probability))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void maskPngRoundTripsThroughTheDecoder() throws Exception {
    BinaryMask mask = MaskPostprocessor.thresholdOnly(0.5).toMask(map("#.#", ".#."), 2, 3, 2, 3);
    Path file = dir.resolve("mask.png");
    mask.writePng(file);

    DecodedImage decoded = new ImageDecoder().decode(file);

    assertThat(decoded.grayCopy()).containsExactly(255f, 0f, 255f, 0f, 255f, 0f);
  }

  @Test
  void binaryMaskRejectsValuesOtherThanZeroAnd255() {
    assertThatThrownBy(() -> new BinaryMask(2, 1, new byte[] {0, 1}))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("pixel 1 is 1");
  }
}
