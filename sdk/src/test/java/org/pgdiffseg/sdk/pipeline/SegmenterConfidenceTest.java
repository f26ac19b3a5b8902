package org.pgdiffseg.sdk.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pgdiffseg.sdk.bundle.ModelBundle;
import org.pgdiffseg.sdk.bundle.TestBundles;
import org.pgdiffseg.sdk.confidence.ConfidenceSignals;
import org.pgdiffseg.sdk.imaging.DecodedImage;
import org.pgdiffseg.sdk.runtime.SessionConfig;

/** The confidence and uncertainty map on real results: present, in range, the same alone and in a batch. */
class SegmenterConfidenceTest {
  @TempDir Path tmp;

  static List<DecodedImage> images() throws Exception {
    List<DecodedImage> images = new ArrayList<>();
    for (int n = 0; n < 3; n++) {
      double f = 0.13 * (n + 1);
      images.add(TestPictures.png("image" + n + ".png", 48, 40,
          (x, y) -> (int) (127 + 120 * Math.sin(f * x + 0.05 * y))));
    }
    return images;
  }

  /** The test bundle copied with a confidence section (bundle.json is not among the checksums). */
  Path tinyWithConfidence() throws Exception {
    return tinyWith("tiny", c -> {
      c.putArray("signals").add("coarse_agreement").add("first_step_agreement").add("gate_tumor");
      c.putArray("coefficients").add(2.0).add(3.0).add(1.0);
      c.put("intercept", -2.5);
    });
  }

  /** The test bundle with a model of the mirror's prior and a record of its gate. */
  Path tinyWithMirrorPrior() throws Exception {
    return tinyWith("tiny-mirror", c -> {
      c.putArray("signals").add("mirror_prior_agreement");
      c.putArray("coefficients").add(4.0);
      c.put("intercept", -2.0);
      c.put("gate_precision", 0.9);
    });
  }

  private Path tinyWith(String name, Consumer<ObjectNode> section) throws Exception {
    return TestBundles.copyOfTinyWithConfidence(tmp.resolve(name), c -> {
      section.accept(c);
      c.put("review_threshold", 0.5);
    });
  }

  @Test
  void theMirrorsPriorIsLookedAtWithoutChangingTheMaskAloneInABatchAndWithFlipping() throws Exception {
    List<DecodedImage> images = images();
    try (Segmenter plain = Segmenter.builder().bundle(ModelBundle.open(TestBundles.tiny())).steps(2).ensemble(2)
        .gating(false).sessionConfig(SessionConfig.cpuOnly()).build();
        Segmenter mirror = plain.toBuilder().bundle(ModelBundle.open(tinyWithMirrorPrior())).build()) {
      List<Double> pSkip = new ArrayList<>();
      for (DecodedImage image : images) {
        SegmentationResult without = plain.segment(image, SegmentRequest.defaults());
        SegmentationResult with = mirror.segment(image, SegmentRequest.defaults());
        // the mirror's own prior call leaves the denoiser bound to the image's prior: the same probability
        assertThat(with.probability()).containsExactly(without.probability());
        double agreement = with.confidence().signals().get(ConfidenceSignals.MIRROR_PRIOR_AGREEMENT);
        assertThat(agreement).isBetween(0.0, 1.0);
        assertThat(with.confidence().value()).isCloseTo(1 / (1 + Math.exp(-(4 * agreement - 2))), within(1e-12));
        pSkip.add(with.gate().probability(with.gate().skipClass()));
      }
      // the gate's record scales its own P(skip)
      sameAloneAndAmongGatedNeighbours(mirror, images, pSkip,
          (gated, p) -> assertThat(gated.confidence().value()).isCloseTo(0.9 * p, within(1e-12)));
      try (Segmenter flipping = mirror.toBuilder().flipAverage(true).build()) {
        SegmentationResult r = flipping.segment(images.get(0), SegmentRequest.defaults());
        assertThat(r.confidence().signals().get(ConfidenceSignals.MIRROR_PRIOR_AGREEMENT)).isBetween(0.0, 1.0);
      }
      // turned off: no confidence, the same mask and map, and the setting survives toBuilder()
      try (Segmenter off = mirror.toBuilder().confidence(false).build();
          Segmenter stillOff = off.toBuilder().build()) {
        SegmentationResult on = mirror.segment(images.get(0), SegmentRequest.defaults());
        for (Segmenter s : List.of(off, stillOff)) {
          SegmentationResult r = s.segment(images.get(0), SegmentRequest.defaults());
          assertThat(r.confidence()).isNull();
          assertThat(r.probability()).containsExactly(on.probability());
          assertThat(r.uncertainty()).containsExactly(on.uncertainty());
        }
      }
    }
  }

  @Test
  void withoutASectionThereIsNoConfidenceButAnUncertaintyMap() throws Exception {
    try (Segmenter s = Segmenter.builder().bundle(ModelBundle.open(TestBundles.tiny())).steps(2).ensemble(2)
        .gating(false).sessionConfig(SessionConfig.cpuOnly()).build()) {
      SegmentationResult r = s.segment(images().get(0), SegmentRequest.defaults());
      assertThat(r.confidence()).isNull();
      assertThat(r.uncertainty()).hasSize(r.modelHeight() * r.modelWidth());
      for (float u : r.uncertainty()) {
        assertThat(u).isBetween(0f, 1f);
      }
      assertThat(r.timings().assessNanos()).isPositive();
    }
  }

  @Test
  void theConfidenceIsTheModelOfTheSignalsAloneAndInABatchWithGatedNeighbours() throws Exception {
    List<DecodedImage> images = images();
    try (Segmenter s = Segmenter.builder().bundle(ModelBundle.open(tinyWithConfidence())).steps(2).ensemble(2)
        .gating(false).sessionConfig(SessionConfig.cpuOnly()).build()) {
      List<Double> pSkip = new ArrayList<>();
      for (DecodedImage image : images) {
        SegmentationResult r = s.segment(image, SegmentRequest.defaults());
        var signals = r.confidence().signals();
        assertThat(signals.keySet()).containsExactly(ConfidenceSignals.COARSE_AGREEMENT,
            ConfidenceSignals.FIRST_STEP_AGREEMENT, ConfidenceSignals.GATE_TUMOR);
        double z = -2.5 + 2 * signals.get("coarse_agreement") + 3 * signals.get("first_step_agreement")
            + signals.get("gate_tumor");
        assertThat(r.confidence().value()).isCloseTo(1 / (1 + Math.exp(-z)), within(1e-12));
        assertThat(r.confidence().review()).isEqualTo(r.confidence().value() < 0.5);
        pSkip.add(r.gate().probability(r.gate().skipClass()));
        assertThat(signals.get("gate_tumor")).isCloseTo(1 - pSkip.getLast(), within(1e-12));
      }
      sameAloneAndAmongGatedNeighbours(s, images, pSkip, (gated, p) -> {
        assertThat(gated.confidence().value()).isEqualTo(p);
        assertThat(gated.confidence().signals()).isEmpty();
        assertThat(gated.uncertainty()).containsOnly(0f);
      });
    }
  }

  /**
   * With the middle P(skip) as the gate's threshold some images are gated and the others sampled in the same batch:
   * each image's confidence is the same there as alone, and {@code gatedCheck} sees each gated result with its
   * P(skip).
   */
  private static void sameAloneAndAmongGatedNeighbours(Segmenter s, List<DecodedImage> images, List<Double> pSkip,
      BiConsumer<SegmentationResult, Double> gatedCheck) throws Exception {
    double between = pSkip.stream().sorted().toList().get(1);
    try (Segmenter gated = s.toBuilder().gating(true).gateThreshold(between).build()) {
      List<SegmentationResult> batch = gated.segmentBatch(images, SegmentRequest.defaults());
      assertThat(batch).anyMatch(r -> r.gate().skipped()).anyMatch(r -> !r.gate().skipped());
      for (int i = 0; i < images.size(); i++) {
        SegmentationResult alone = gated.segment(images.get(i), SegmentRequest.defaults());
        SegmentationResult together = batch.get(i);
        assertThat(together.confidence().value()).as("image %s", i)
            .isCloseTo(alone.confidence().value(), within(1e-6));
        if (together.gate().skipped()) {
          gatedCheck.accept(together, pSkip.get(i));
        }
      }
    }
  }
}
