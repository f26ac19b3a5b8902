package org.pgdiffseg.sdk.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;
import org.pgdiffseg.sdk.imaging.BinaryMask;
import org.pgdiffseg.sdk.imaging.PixelSpacing;

/** Calipers on shapes whose answers are known, to within one pixel's size. */
class LesionMeasurementsTest {
  /** A mask of {@code w x h} whose lesion is every pixel centre (x, y) in millimetres for which {@code inside} holds. */
  interface Shape {
    boolean inside(double x, double y);
  }

  static BinaryMask mask(int w, int h, double sx, double sy, Shape shape) {
    byte[] pixels = new byte[w * h];
    for (int y = 0; y < h; y++) {
      for (int x = 0; x < w; x++) {
        pixels[y * w + x] = shape.inside(x * sx, y * sy) ? (byte) 255 : 0;
      }
    }
    return new BinaryMask(w, h, pixels);
  }

  @Test
  void aDiskMeasuresItsDiameterBothWays() {
    BinaryMask disk = mask(200, 200, 1, 1, (x, y) -> Math.hypot(x - 100, y - 100) <= 40);
    LesionMeasurements.Lesion l = LesionMeasurements.of(disk, null).largest().orElseThrow();
    assertThat(l.longest().lengthPixels()).isCloseTo(80, within(1.0));
    assertThat(l.perpendicular().lengthPixels()).isCloseTo(80, within(1.0));
    assertThat(l.longest().lengthMm()).isNull();
    assertThat(l.areaPixels()).isCloseTo(Math.round(Math.PI * 40 * 40), within(200L));
    assertThat(l.width()).isEqualTo(81);
  }

  @Test
  void aRotatedEllipseMeasuresItsAxesAndTheirDirections() {
    double angle = Math.toRadians(30);
    double c = Math.cos(angle);
    double s = Math.sin(angle);
    BinaryMask ellipse = mask(240, 240, 1, 1, (x, y) -> {
      double u = (x - 120) * c + (y - 120) * s;
      double v = -(x - 120) * s + (y - 120) * c;
      return (u * u) / (60.0 * 60) + (v * v) / (30.0 * 30) <= 1;
    });
    LesionMeasurements.Lesion l = LesionMeasurements.of(ellipse, null).largest().orElseThrow();
    assertThat(l.longest().lengthPixels()).isCloseTo(120, within(1.0));
    assertThat(l.perpendicular().lengthPixels()).isCloseTo(60, within(1.0));
    LesionMeasurements.Caliper major = l.longest();
    double direction = Math.toDegrees(Math.atan2(major.y2() - major.y1(), major.x2() - major.x1()));
    assertThat(Math.abs(((direction - 30) % 180 + 180) % 180)).isLessThan(3.0);
    LesionMeasurements.Caliper minor = l.perpendicular();
    double dot = (major.x2() - major.x1()) * (minor.x2() - minor.x1()) + (major.y2() - major.y1()) * (minor.y2() - minor.y1());
    assertThat(dot / (major.lengthPixels() * minor.lengthPixels())).isCloseTo(0, within(1e-9));
  }

  @Test
  void aRotatedRectangleAtAKnownAnisotropicSpacingIsMeasuredInMillimetres() {
    // A 10 mm x 4 mm rectangle turned by 20 degrees, drawn on pixels 0.1 mm wide and 0.2 mm high.
    double sx = 0.1;
    double sy = 0.2;
    double angle = Math.toRadians(20);
    double c = Math.cos(angle);
    double s = Math.sin(angle);
    BinaryMask rectangle = mask(200, 100, sx, sy, (x, y) -> {
      double u = (x - 10) * c + (y - 10) * s;
      double v = -(x - 10) * s + (y - 10) * c;
      return Math.abs(u) <= 5 && Math.abs(v) <= 2;
    });
    LesionMeasurements m = LesionMeasurements.of(rectangle, new PixelSpacing(sy, sx));
    LesionMeasurements.Lesion l = m.largest().orElseThrow();
    assertThat(l.longest().lengthMm()).as("the diagonal").isCloseTo(Math.hypot(10, 4), within(0.2));
    assertThat(l.areaMm2()).isCloseTo(40, within(1.5));
    assertThat(m.spacing()).isEqualTo(new PixelSpacing(sy, sx));
  }

  @Test
  void lesionsAreListedLargestFirstAndAnEmptyMaskHasNone() {
    BinaryMask two = mask(100, 50, 1, 1, (x, y) -> Math.hypot(x - 20, y - 25) <= 5 || Math.hypot(x - 70, y - 25) <= 15);
    LesionMeasurements m = LesionMeasurements.of(two, null);
    assertThat(m.lesions()).hasSize(2);
    assertThat(m.lesions().get(0).left()).isEqualTo(55);
    assertThat(LesionMeasurements.of(BinaryMask.empty(10, 10), null).largest()).isEmpty();
    BinaryMask dot = mask(10, 10, 1, 1, (x, y) -> x == 4 && y == 4);
    LesionMeasurements.Lesion single = LesionMeasurements.of(dot, null).largest().orElseThrow();
    assertThat(single.longest().lengthPixels()).isZero();
    assertThat(single.perpendicular().lengthPixels()).isZero();
  }
}
