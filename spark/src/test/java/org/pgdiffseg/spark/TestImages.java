package org.pgdiffseg.spark;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;
import org.pgdiffseg.sdk.bundle.TestBundles;
import org.pgdiffseg.sdk.imaging.ImageWriter;

/** A folder of small gray images with reference masks, and inputs that cannot be segmented. */
final class TestImages {
  static final int GOOD = 6;

  private TestImages() {}

  /** {@code images/}: the tiny bundle's fixture image and five generated ones; {@code masks/} of the same names. */
  static void writeGood(Path images, Path masks) throws IOException {
    Files.createDirectories(images);
    Files.createDirectories(masks);
    Files.copy(TestBundles.tiny().resolve("fixtures/preprocess_input.png"), images.resolve("fixture.png"));
    int[][] sizes = {{40, 30}, {64, 64}, {50, 70}, {33, 97}, {128, 96}};
    Random random = new Random(11);
    for (int i = 0; i < sizes.length; i++) {
      int w = sizes[i][0];
      int h = sizes[i][1];
      byte[] gray = new byte[w * h];
      byte[] mask = new byte[w * h];
      for (int y = 0; y < h; y++) {
        for (int x = 0; x < w; x++) {
          double dx = x - w / 2.0;
          double dy = y - h / 2.0;
          boolean lesion = dx * dx + dy * dy < w * h / 12.0;
          gray[y * w + x] = (byte) ((lesion ? 60 : 170) + random.nextInt(40));
          mask[y * w + x] = (byte) (lesion ? 255 : 0);
        }
      }
      ImageWriter.writeGrayPng(images.resolve("image_" + i + ".png"), gray, w, h);
      ImageWriter.writeGrayPng(masks.resolve("image_" + i + ".png"), mask, w, h);
    }
    byte[] fixture = Files.readAllBytes(images.resolve("fixture.png"));
    int[] hw = pngSize(fixture);
    byte[] empty = new byte[hw[0] * hw[1]];
    ImageWriter.writeGrayPng(masks.resolve("fixture.png"), empty, hw[0], hw[1]);
  }

  /** A file that is no image, a PNG cut in half, and a PNG of {@code bigSide}² pixels. */
  static void writeBad(Path images, int bigSide) throws IOException {
    Files.writeString(images.resolve("corrupt.png"), "this is not an image");
    byte[] png = Files.readAllBytes(images.resolve("image_1.png"));
    Files.write(images.resolve("truncated.png"), Arrays.copyOf(png, png.length / 2));
    ImageWriter.writeGrayPng(images.resolve("oversized.png"), new byte[bigSide * bigSide], bigSide, bigSide);
  }

  private static int[] pngSize(byte[] png) {
    int w = ((png[16] & 0xFF) << 24) | ((png[17] & 0xFF) << 16) | ((png[18] & 0xFF) << 8) | (png[19] & 0xFF);
    int h = ((png[20] & 0xFF) << 24) | ((png[21] & 0xFF) << 16) | ((png[22] & 0xFF) << 8) | (png[23] & 0xFF);
    return new int[] {w, h};
  }
}
