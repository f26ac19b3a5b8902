package org.pgdiffseg.sdk.pipeline;

import java.util.List;
import org.pgdiffseg.sdk.confidence.Confidence;
import org.pgdiffseg.sdk.gating.GateDecision;
import org.pgdiffseg.sdk.imaging.BinaryMask;
import org.pgdiffseg.sdk.metrics.ScaledMeasurements;

/**
 * The outcome of segmenting one image.
 *
 * @param name the image's name as the decoder gave it: the path as passed to {@code segment(Path)} (whole, not
 *     only the file name), {@code <path>#frameN} for a frame of a multi-frame DICOM, or the name given with the
 *     image's bytes
 * @param mask lesion mask at the original size (0/255)
 * @param probability the lesion probability per pixel at model resolution (not a class probability: those are
 *     in {@code gate}, by class name), row-major {@code modelHeight x modelWidth}
 *     (mean over the ensemble of (x0 + 1) / 2; with flip averaging, the mean of the image's map and its mirror's
 *     mapped back; all zero when the gate skipped diffusion)
 * @param gate class probabilities and whether diffusion was skipped
 * @param trajectory when asked for: the ensemble-mean probability of the x0 prediction after each step
 * @param options the settings actually used
 * @param record everything that decided this result (model and its sha256, the sampler's full config, gate,
 *     SDK version, device): with it the same SDK reproduces the mask bit for bit
 * @param measurements the mask's lesions measured at the original size (calipers, area, bounding box; largest
 *     first): in millimetres too when the image came from a DICOM file that states its pixel size, and where that
 *     size came from or why there is none in {@link ScaledMeasurements#spacingFrom()}
 * @param confidence how far to trust this result (docs/confidence.md); null when the bundle has no
 *     {@code confidence} section
 * @param uncertainty per pixel at model resolution, row-major, in [0, 1]: where the sources of the mask disagree
 *     ({@link org.pgdiffseg.sdk.confidence.UncertaintyMap}); all zero when the gate skipped diffusion
 */
public record SegmentationResult(
    String name, BinaryMask mask, float[] probability, int modelHeight, int modelWidth, GateDecision gate,
    List<float[]> trajectory, StageTimings timings, SamplingOptions options, RunRecord record,
    ScaledMeasurements measurements, Confidence confidence, float[] uncertainty) {
  public SegmentationResult {
    trajectory = List.copyOf(trajectory);
  }

  public int width() {
    return mask.width();
  }

  public int height() {
    return mask.height();
  }
}
