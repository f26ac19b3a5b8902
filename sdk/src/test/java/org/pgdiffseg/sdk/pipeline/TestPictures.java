package org.pgdiffseg.sdk.pipeline;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.function.IntBinaryOperator;
import javax.imageio.ImageIO;
import org.pgdiffseg.sdk.gating.GateDecision;
import org.pgdiffseg.sdk.imaging.DecodedImage;
import org.pgdiffseg.sdk.imaging.ImageDecoder;

/** Small synthetic inputs for the pipeline tests, decoded the way a user's PNG file is. */
final class TestPictures {
  private TestPictures() {}

  /** An 8-bit gray picture, {@code gray.applyAsInt(x, y)} per pixel, PNG-encoded and decoded as {@code name}. */
  static DecodedImage png(String name, int width, int height, IntBinaryOperator gray) throws Exception {
    BufferedImage picture = new BufferedImage(width, height, BufferedImage.TYPE_BYTE_GRAY);
    for (int y = 0; y < height; y++) {
      for (int x = 0; x < width; x++) {
        picture.getRaster().setSample(x, y, 0, gray.applyAsInt(x, y));
      }
    }
    ByteArrayOutputStream png = new ByteArrayOutputStream();
    ImageIO.write(picture, "png", png);
    return new ImageDecoder().decode(png.toByteArray(), name);
  }

  /**
   * A gate threshold that skips the upper half of {@code images} by P(skip class) under {@code segmenter}'s gate
   * (halfway between the two middle probabilities): a batch with both gated and sampled images.
   */
  static double thresholdSkippingHalf(Segmenter segmenter, List<DecodedImage> images) throws Exception {
    List<Double> noTumor = new ArrayList<>();
    for (DecodedImage image : images) {
      GateDecision gate = segmenter.segment(image, SegmentRequest.defaults()).gate();
      noTumor.add(gate.probability(gate.skipClass()));
    }
    List<Double> sorted = noTumor.stream().sorted().toList();
    int half = sorted.size() / 2;
    return (sorted.get(half - 1) + sorted.get(half)) / 2;
  }
}
