package org.pgdiffseg.sdk.imaging;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

/**
 * An ultrasound image states its scale in its Sequence of Ultrasound Regions (0018,6011): a lesion is measured in
 * mm with the region that holds it, and not at all when it lies in none, crosses one's bounds, or its region is
 * not in cm.
 */
class UltrasoundRegionsTest {
  @Test
  void aLesionIsMeasuredWithTheRegionThatHoldsItInEitherEncoding() throws Exception {
    for (boolean implicit : new boolean[] {false, true}) {
      byte[] file = DicomFiles.ultrasound(implicit, new DicomFiles.Region(0, 0, 31, 47, UltrasoundRegion.CENTIMETRES, 0.01),
          new DicomFiles.Region(32, 0, 63, 47, UltrasoundRegion.CENTIMETRES, 0.02));
      DicomAttributes a = DicomAttributes.read(file, "us.dcm");
      assertThat(a.ultrasoundRegions()).as("implicit %s", implicit).hasSize(2);
      DicomAttributes.ChosenSpacing left = a.spacingFor(new int[] {4, 4, 20, 30});
      assertThat(left.value().columnMm()).isCloseTo(0.1, within(1e-12));
      assertThat(left.value().rowMm()).isCloseTo(0.1, within(1e-12));
      assertThat(left.source()).isEqualTo("Sequence of Ultrasound Regions (0018,6011), region 1");
      assertThat(a.spacingFor(new int[] {40, 4, 60, 30}).value().columnMm()).isCloseTo(0.2, within(1e-12));
      DicomAttributes.ChosenSpacing crossing = a.spacingFor(new int[] {20, 4, 40, 30});
      assertThat(crossing.value()).isNull();
      assertThat(crossing.source()).isEqualTo("none: the lesion crosses the bounds of an ultrasound region");
      assertThat(new DicomReader(ImageDecoder.DEFAULT_MAX_PIXELS).read(file, "us.dcm")).hasSize(1);
    }
  }

  @Test
  void aRegionNotInCentimetresOrOutsideEveryRegionGivesNoMillimetresAndSaysWhy() throws Exception {
    DicomAttributes notCm = DicomAttributes.read(DicomFiles.ultrasound(false, new DicomFiles.Region(0, 0, 63, 47, 0, 0.01)), "us.dcm");
    assertThat(notCm.spacingFor(new int[] {4, 4, 20, 30}).source())
        .isEqualTo("none: the ultrasound region's physical units are 0 / 0, not cm (3) (region 1)");
    DicomAttributes small = DicomAttributes.read(DicomFiles.ultrasound(false,
        new DicomFiles.Region(0, 0, 10, 10, UltrasoundRegion.CENTIMETRES, 0.01)), "us.dcm");
    assertThat(small.spacingFor(new int[] {30, 30, 40, 40}).source())
        .isEqualTo("none: the lesion lies in no ultrasound region");
    DicomAttributes disagree = DicomAttributes.read(DicomFiles.ultrasound(false,
        new DicomFiles.Region(0, 0, 63, 47, UltrasoundRegion.CENTIMETRES, 0.01),
        new DicomFiles.Region(0, 0, 63, 47, UltrasoundRegion.CENTIMETRES, 0.03)), "us.dcm");
    assertThat(disagree.spacingFor(new int[] {4, 4, 20, 30}).source())
        .startsWith("none: the ultrasound regions that contain the lesion disagree on its scale");
    assertThat(disagree.spacingFor(null).source()).isEqualTo("none: no lesion to place in an ultrasound region");
  }
}
