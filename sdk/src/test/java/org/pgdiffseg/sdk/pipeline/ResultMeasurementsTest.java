package org.pgdiffseg.sdk.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pgdiffseg.sdk.bundle.ModelBundle;
import org.pgdiffseg.sdk.bundle.TestBundles;
import org.pgdiffseg.sdk.imaging.DecodedImage;
import org.pgdiffseg.sdk.imaging.DicomFiles;
import org.pgdiffseg.sdk.imaging.ImageDecoder;
import org.pgdiffseg.sdk.imaging.PixelSpacing;
import org.pgdiffseg.sdk.metrics.ImageScale;
import org.pgdiffseg.sdk.metrics.LesionMeasurements;
import org.pgdiffseg.sdk.metrics.ScaledMeasurements;
import org.pgdiffseg.sdk.runtime.SessionConfig;

/**
 * A {@link SegmentationResult} carries its mask's lesion measurements: in millimetres for a DICOM file that states
 * its pixel size (alone, a batch, each frame of a multi-frame file), in pixels with the reason otherwise.
 */
class ResultMeasurementsTest {
  static final double ROW_MM = 0.5;
  static final double COLUMN_MM = 0.25;
  static Segmenter segmenter;
  @TempDir Path tmp;

  @BeforeAll
  static void open() throws Exception {
    // a low threshold, so the random-weight model leaves lesions to measure
    segmenter = Segmenter.builder().bundle(ModelBundle.open(TestBundles.tiny())).steps(4).ensemble(2).seed(5)
        .gating(false).maskThreshold(0.3).sessionConfig(SessionConfig.cpuOnly()).build();
  }

  @AfterAll
  static void close() {
    segmenter.close();
  }

  private Path dicom(String name, int frames, String pixelSpacing) throws Exception {
    return Files.write(tmp.resolve(name), DicomFiles.identified(48, 64, frames, "1.2.3", "1.2.3.4", "1.2.3.4.5",
        pixelSpacing));
  }

  @Test
  void aDicomWithPixelSpacingIsMeasuredInMillimetres() throws Exception {
    SegmentationResult r = segmenter.segment(dicom("scan.dcm", 1, ROW_MM + "\\" + COLUMN_MM));
    assertMillimetres(r);
  }

  @Test
  void eachFrameOfAMultiFrameDicomSegmentedAsABatchIsMeasuredInMillimetres() throws Exception {
    List<DecodedImage> frames = new ImageDecoder().decodeFrames(dicom("cine.dcm", 2, ROW_MM + "\\" + COLUMN_MM));
    List<SegmentationResult> results = segmenter.segmentBatch(frames, SegmentRequest.defaults());
    assertThat(results).hasSize(2);
    for (SegmentationResult r : results) {
      assertMillimetres(r);
    }
  }

  /** Every figure in mm follows from the pixel figures and the file's 0.5 x 0.25 mm pixels. */
  private static void assertMillimetres(SegmentationResult r) {
    ScaledMeasurements m = r.measurements();
    assertThat(m.spacingFrom()).isEqualTo("Pixel Spacing (0028,0030)");
    assertThat(m.value().spacing()).isEqualTo(new PixelSpacing(ROW_MM, COLUMN_MM));
    assertThat(r.mask().lesionPixels()).isPositive();
    assertThat(m.value().lesions().stream().mapToLong(LesionMeasurements.Lesion::areaPixels).sum())
        .isEqualTo(r.mask().lesionPixels());
    for (LesionMeasurements.Lesion l : m.value().lesions()) {
      assertThat(l.areaMm2()).isCloseTo(l.areaPixels() * ROW_MM * COLUMN_MM, within(1e-9));
      for (LesionMeasurements.Caliper c : List.of(l.longest(), l.perpendicular())) {
        double mm = Math.hypot((c.x2() - c.x1()) * COLUMN_MM, (c.y2() - c.y1()) * ROW_MM);
        assertThat(c.lengthMm()).isCloseTo(mm, within(1e-9));
      }
    }
  }

  @Test
  void aPngGivesPixelsOnlyAndSaysWhy() throws Exception {
    BufferedImage picture = new BufferedImage(64, 48, BufferedImage.TYPE_BYTE_GRAY);
    for (int y = 0; y < 48; y++) {
      for (int x = 0; x < 64; x++) {
        picture.getRaster().setSample(x, y, 0, (x * 7 + y * 3) & 0xFF);
      }
    }
    Path png = tmp.resolve("scan.png");
    ImageIO.write(picture, "png", png.toFile());
    SegmentationResult r = segmenter.segment(png);
    ScaledMeasurements m = r.measurements();
    assertThat(m.spacingFrom()).isEqualTo(ImageScale.NOT_DICOM);
    assertThat(m.value().spacing()).isNull();
    assertThat(m.value()).isEqualTo(LesionMeasurements.of(r.mask(), null));
    assertThat(r.mask().lesionPixels()).isPositive();
    assertThat(m.value().lesions()).allSatisfy(l -> {
      assertThat(l.areaMm2()).isNull();
      assertThat(l.longest().lengthMm()).isNull();
    });
  }

  @Test
  void aDicomWithoutPixelSizeGivesPixelsAndSaysWhy() throws Exception {
    SegmentationResult r = segmenter.segment(dicom("plain.dcm", 1, null));
    assertThat(r.measurements().value().spacing()).isNull();
    assertThat(r.measurements().spacingFrom()).startsWith("none: the DICOM file states no usable Pixel Spacing");
  }

  @Test
  void aPreprocessedInputSaysItHasNoFile() throws Exception {
    SegmentationResult r = segmenter.segmentPreprocessed("input", new float[32 * 32], 20, 30,
        SegmentRequest.defaults());
    assertThat(r.measurements().value().spacing()).isNull();
    assertThat(r.measurements().spacingFrom()).contains("preprocessed input");
  }
}
