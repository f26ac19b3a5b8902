package org.pgdiffseg.sdk.imaging;

import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * One item of an ultrasound image's Sequence of Ultrasound Regions (0018,6011): a rectangle of the image and how
 * its pixels map to physical units, which is where ultrasound states its scale (it rarely has a Pixel Spacing).
 * Values the file leaves out are null. Immutable.
 *
 * @param minX0 Region Location Min X0 (0018,6018), a column
 * @param minY0 Region Location Min Y0 (0018,601A), a row
 * @param maxX1 Region Location Max X1 (0018,601C)
 * @param maxY1 Region Location Max Y1 (0018,601E)
 * @param unitsX Physical Units X Direction (0018,6024): 3 is cm
 * @param unitsY Physical Units Y Direction (0018,6026)
 * @param deltaX Physical Delta X (0018,602C), units per pixel
 * @param deltaY Physical Delta Y (0018,602E)
 */
public record UltrasoundRegion(Long minX0, Long minY0, Long maxX1, Long maxY1, Integer unitsX, Integer unitsY,
    Double deltaX, Double deltaY) {
  /** The Sequence of Ultrasound Regions. */
  static final int SEQUENCE = 0x00186011;
  /** DICOM's code for centimetres in Physical Units X/Y Direction. */
  public static final int CENTIMETRES = 3;
  static final int MIN_X0 = 0x00186018;
  static final int MIN_Y0 = 0x0018601A;
  static final int MAX_X1 = 0x0018601C;
  static final int MAX_Y1 = 0x0018601E;
  static final int UNITS_X = 0x00186024;
  static final int UNITS_Y = 0x00186026;
  static final int DELTA_X = 0x0018602C;
  static final int DELTA_Y = 0x0018602E;
  static final Set<Integer> TAGS = Set.of(MIN_X0, MIN_Y0, MAX_X1, MAX_Y1, UNITS_X, UNITS_Y, DELTA_X, DELTA_Y);

  static UltrasoundRegion of(Map<Integer, Double> v) {
    return new UltrasoundRegion(whole(v.get(MIN_X0)), whole(v.get(MIN_Y0)), whole(v.get(MAX_X1)),
        whole(v.get(MAX_Y1)), v.get(UNITS_X) == null ? null : v.get(UNITS_X).intValue(),
        v.get(UNITS_Y) == null ? null : v.get(UNITS_Y).intValue(), v.get(DELTA_X), v.get(DELTA_Y));
  }

  private static Long whole(Double d) {
    return d == null ? null : d.longValue();
  }

  /** True when the pixel rectangle [left, right] x [top, bottom] lies inside this region (bounds inclusive). */
  public boolean contains(int left, int top, int right, int bottom) {
    return minX0 != null && minY0 != null && maxX1 != null && maxY1 != null
        && left >= minX0 && top >= minY0 && right <= maxX1 && bottom <= maxY1;
  }

  /** True when the rectangle and this region share a pixel. */
  public boolean overlaps(int left, int top, int right, int bottom) {
    return minX0 != null && minY0 != null && maxX1 != null && maxY1 != null
        && left <= maxX1 && right >= minX0 && top <= maxY1 && bottom >= minY0;
  }

  /** The pixel size in mm, when both directions are in cm with positive, finite deltas; else why not. */
  public Optional<PixelSpacing> spacing() {
    return problem() == null ? Optional.of(new PixelSpacing(deltaY * 10, deltaX * 10)) : Optional.empty();
  }

  /** Why this region gives no millimetres, or null when it does. */
  public String problem() {
    if (unitsX == null || unitsY == null || deltaX == null || deltaY == null) {
      return "the ultrasound region states no physical units or deltas";
    }
    if (unitsX != CENTIMETRES || unitsY != CENTIMETRES) {
      return "the ultrasound region's physical units are " + unitsX + " / " + unitsY + ", not cm (3)";
    }
    if (!(Double.isFinite(deltaX) && deltaX > 0 && Double.isFinite(deltaY) && deltaY > 0)) {
      return "the ultrasound region's physical deltas are " + deltaX + " / " + deltaY + ", not positive";
    }
    return null;
  }
}
