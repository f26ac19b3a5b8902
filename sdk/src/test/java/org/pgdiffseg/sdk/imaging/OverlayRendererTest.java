package org.pgdiffseg.sdk.imaging;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OverlayRendererTest {
  @TempDir Path dir;

  private static final int SIZE = 20;

  private static DecodedImage grayImage(float value) {
    float[] gray = new float[SIZE * SIZE];
    Arrays.fill(gray, value);
    return new DecodedImage("flat", ImageFormat.PNG, SIZE, SIZE, 1, 8, gray);
  }

  /** A lesion square covering columns and rows 5..14. */
  private static BinaryMask square() {
    byte[] pixels = new byte[SIZE * SIZE];
    for (int y = 5; y < 15; y++) {
      for (int x = 5; x < 15; x++) {
        pixels[y * SIZE + x] = (byte) 255;
      }
    }
    return new BinaryMask(SIZE, SIZE, pixels);
  }

  private static int[] bgrAt(byte[] bgr, int x, int y) {
    int i = (y * SIZE + x) * 3;
    return new int[] {bgr[i] & 0xFF, bgr[i + 1] & 0xFF, bgr[i + 2] & 0xFF};
  }

  @Test
  void blendsTheFillAndDrawsTheContour() {
    byte[] bgr = new OverlayRenderer(255, 0, 0, 0.5, 1).renderBgr(grayImage(100f), square());

    assertThat(bgrAt(bgr, 0, 0)).containsExactly(100, 100, 100); // outside: unchanged gray
    assertThat(bgrAt(bgr, 10, 10)).containsExactly(50, 50, 178); // inside: 0.5 * 100 + 0.5 * colour, rounded
    assertThat(bgrAt(bgr, 5, 10)).containsExactly(0, 0, 255); // boundary pixel: contour colour
  }

  @Test
  void outlinesTheUncertainRegionInDashedCyanAndNowhereElse() throws Exception {
    byte[] png = new OverlayRenderer(255, 0, 0, 0.5, 1).encodePng(grayImage(100f), BinaryMask.empty(SIZE, SIZE), null,
        List.of(), square());
    DecodedImage decoded = new ImageDecoder().decode(png, "overlay.png");
    assertThat(decoded.sourceChannels()).isEqualTo(3);
    Path file = dir.resolve("overlay.png");
    Files.write(file, png);
    var bgr = org.bytedeco.opencv.global.opencv_imgcodecs.imread(file.toString());
    java.nio.ByteBuffer b = bgr.createBuffer();
    int cyan = 0;
    int gray = 0;
    for (int y = 0; y < SIZE; y++) {
      for (int x = 0; x < SIZE; x++) {
        int i = (y * SIZE + x) * 3;
        boolean border = (x == 5 || x == 14) && y >= 5 && y <= 14 || (y == 5 || y == 14) && x >= 5 && x <= 14;
        int[] px = {b.get(i) & 0xFF, b.get(i + 1) & 0xFF, b.get(i + 2) & 0xFF};
        if (px[0] == 255 && px[1] == 255 && px[2] == 0) {
          assertThat(border).as("cyan at %s,%s", x, y).isTrue();
          cyan++;
        } else {
          assertThat(px).containsExactly(100, 100, 100);
          gray += border ? 1 : 0;
        }
      }
    }
    assertThat(cyan).as("dashed: part of the border").isPositive();
    assertThat(gray).as("dashed: the gaps").isPositive();
    bgr.close();
  }

  @Test
  void writesAPngOfTheImageSize() throws Exception {
    Path file = dir.resolve("overlay.png");
    OverlayRenderer.defaults().writePng(file, grayImage(60f), square());

    DecodedImage decoded = new ImageDecoder().decode(file);

    assertThat(Files.size(file)).isPositive();
    assertThat(decoded.width()).isEqualTo(SIZE);
    assertThat(decoded.sourceChannels()).isEqualTo(3);
  }

  @Test
  void refusesAMaskOfAnotherSize() {
    assertThatThrownBy(() -> OverlayRenderer.defaults().renderBgr(grayImage(1f), BinaryMask.empty(3, 3)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("mask is 3 x 3");
  }

  @Test
  void floatMapPngMapsLowAndHighToBlackAndWhite() throws Exception {
    Path file = dir.resolve("map.png");
    ImageWriter.writeFloatMapPng(file, new float[] {-1f, 0f, 1f, 2f}, 4, 1, -1, 1);

    assertThat(new ImageDecoder().decode(file).grayCopy()).containsExactly(0f, 128f, 255f, 255f);
  }
}
