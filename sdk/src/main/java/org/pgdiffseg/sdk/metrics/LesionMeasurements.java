package org.pgdiffseg.sdk.metrics;

import static com.google.common.base.Preconditions.checkNotNull;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.pgdiffseg.sdk.imaging.BinaryMask;
import org.pgdiffseg.sdk.imaging.PixelSpacing;

/**
 * A mask's lesions measured as a radiologist does with calipers (BI-RADS): for each connected lesion (8-connected)
 * its area, its longest diameter and the longest diameter perpendicular to it, and its bounding box; in pixels
 * always, in millimetres when the {@link PixelSpacing} is known. Distances run between pixel centres of the lesion at
 * the mask's resolution (the original image's), so a length is within one pixel's size of the lesion's extent;
 * with unequal row and column spacing they are measured in millimetres, where the angles are true. Immutable.
 *
 * @param lesions every lesion, largest area first
 * @param spacing the pixel size, or null when unknown (then every millimetre figure is null)
 */
public record LesionMeasurements(List<Lesion> lesions, PixelSpacing spacing) {
  public LesionMeasurements {
    lesions = List.copyOf(lesions);
  }

  /** One caliper: its end points in pixel coordinates (x right, y down) and its length. */
  public record Caliper(double x1, double y1, double x2, double y2, double lengthPixels, Double lengthMm) {}

  /**
   * One connected lesion.
   *
   * @param longest the longest diameter (between the two lesion pixels farthest apart)
   * @param perpendicular the longest chord across the lesion at right angles to {@code longest}
   */
  public record Lesion(long areaPixels, Double areaMm2, Caliper longest, Caliper perpendicular, int left, int top,
      int width, int height) {}

  /**
   * The JSON form (results.json's {@code measurements}, Spark's column of that name): {@code spacing_mm} (null when
   * unknown) and every lesion, largest first, with {@code area_px}, {@code area_mm2}, the two calipers
   * ({@code px}, {@code mm}, {@code from}, {@code to} in pixel coordinates) and {@code bbox_px} (left, top,
   * width, height).
   */
  public Map<String, Object> toMap() {
    Map<String, Object> json = new LinkedHashMap<>();
    json.put("spacing_mm", spacing == null ? null : Map.of("row", spacing.rowMm(), "column", spacing.columnMm()));
    List<Map<String, Object>> all = new ArrayList<>();
    for (Lesion l : lesions) {
      Map<String, Object> lesion = new LinkedHashMap<>();
      lesion.put("area_px", l.areaPixels());
      lesion.put("area_mm2", l.areaMm2());
      lesion.put("longest", caliperMap(l.longest()));
      lesion.put("perpendicular", caliperMap(l.perpendicular()));
      lesion.put("bbox_px", List.of(l.left(), l.top(), l.width(), l.height()));
      all.add(lesion);
    }
    json.put("lesions", all);
    return json;
  }

  private static Map<String, Object> caliperMap(Caliper c) {
    Map<String, Object> json = new LinkedHashMap<>();
    json.put("px", c.lengthPixels());
    json.put("mm", c.lengthMm());
    json.put("from", List.of(c.x1(), c.y1()));
    json.put("to", List.of(c.x2(), c.y2()));
    return json;
  }

  /** The largest lesion, if there is one. */
  public Optional<Lesion> largest() {
    return lesions.isEmpty() ? Optional.empty() : Optional.of(lesions.get(0));
  }

  /** Measures {@code mask}; {@code spacing} may be null (pixels only). */
  public static LesionMeasurements of(BinaryMask mask, PixelSpacing spacing) {
    checkNotNull(mask, "mask");
    int w = mask.width();
    int h = mask.height();
    byte[] pixels = mask.pixels();
    int[] labels = new int[w * h];
    List<int[]> components = new ArrayList<>();
    for (int start = 0; start < pixels.length; start++) {
      if (pixels[start] != 0 && labels[start] == 0) {
        components.add(flood(pixels, labels, w, h, start, components.size() + 1));
      }
    }
    // Millimetres per pixel along x (columns) and y (rows); 1 each when unknown, so pixels are measured alike.
    double sx = spacing == null ? 1 : spacing.columnMm();
    double sy = spacing == null ? 1 : spacing.rowMm();
    List<Lesion> lesions = new ArrayList<>();
    for (int[] component : components) {
      lesions.add(measure(component, w, sx, sy, spacing != null));
    }
    lesions.sort(Comparator.comparingLong(Lesion::areaPixels).reversed());
    return new LesionMeasurements(lesions, spacing);
  }

  /** The pixel indices of one 8-connected lesion, labelled {@code label} (an explicit stack: no recursion). */
  private static int[] flood(byte[] pixels, int[] labels, int w, int h, int start, int label) {
    int[] stack = new int[16];
    int top = 0;
    int[] found = new int[16];
    int count = 0;
    stack[top++] = start;
    labels[start] = label;
    while (top > 0) {
      int p = stack[--top];
      if (count == found.length) {
        found = Arrays.copyOf(found, count * 2);
      }
      found[count++] = p;
      int x = p % w;
      int y = p / w;
      for (int dy = -1; dy <= 1; dy++) {
        for (int dx = -1; dx <= 1; dx++) {
          int nx = x + dx;
          int ny = y + dy;
          if ((dx != 0 || dy != 0) && nx >= 0 && ny >= 0 && nx < w && ny < h) {
            int q = ny * w + nx;
            if (pixels[q] != 0 && labels[q] == 0) {
              labels[q] = label;
              if (top == stack.length) {
                stack = Arrays.copyOf(stack, top * 2);
              }
              stack[top++] = q;
            }
          }
        }
      }
    }
    return Arrays.copyOf(found, count);
  }

  private static Lesion measure(int[] component, int w, double sx, double sy, boolean inMm) {
    int left = Integer.MAX_VALUE;
    int top = Integer.MAX_VALUE;
    int right = -1;
    int bottom = -1;
    double[][] points = new double[component.length][];
    for (int i = 0; i < component.length; i++) {
      int x = component[i] % w;
      int y = component[i] / w;
      left = Math.min(left, x);
      top = Math.min(top, y);
      right = Math.max(right, x);
      bottom = Math.max(bottom, y);
      points[i] = new double[] {x * sx, y * sy};   // millimetres (or pixels when the spacing is unknown)
    }
    double[][] hull = ConvexHull.of(points);
    double[] a = hull[0];
    double[] b = hull[0];
    double best = -1;
    for (int i = 0; i < hull.length; i++) {
      for (int j = i + 1; j < hull.length; j++) {
        double d = Math.hypot(hull[i][0] - hull[j][0], hull[i][1] - hull[j][1]);
        if (d > best) {
          best = d;
          a = hull[i];
          b = hull[j];
        }
      }
    }
    Caliper longest = caliper(a, b, sx, sy, inMm);
    Caliper perpendicular = perpendicularChord(points, a, b, Math.min(sx, sy), sx, sy, inMm);
    long area = component.length;
    return new Lesion(area, inMm ? area * sx * sy : null, longest, perpendicular, left, top, right - left + 1,
        bottom - top + 1);
  }

  /**
   * The longest chord at right angles to a-b: the lesion's points are binned by their position along a-b (one
   * pixel's size a bin) and each bin's extent across is a chord; the widest wins. A lesion of one pixel, or a line
   * along a-b, has a chord of length 0.
   */
  private static Caliper perpendicularChord(double[][] points, double[] a, double[] b, double bin, double sx,
      double sy, boolean inMm) {
    double length = Math.hypot(b[0] - a[0], b[1] - a[1]);
    double ux = length > 0 ? (b[0] - a[0]) / length : 1;
    double uy = length > 0 ? (b[1] - a[1]) / length : 0;
    double vx = -uy;
    double vy = ux;
    int bins = (int) Math.floor(length / bin) + 1;
    double[] lo = new double[bins];
    double[] hi = new double[bins];
    Arrays.fill(lo, Double.POSITIVE_INFINITY);
    Arrays.fill(hi, Double.NEGATIVE_INFINITY);
    for (double[] p : points) {
      double s = (p[0] - a[0]) * ux + (p[1] - a[1]) * uy;
      double t = (p[0] - a[0]) * vx + (p[1] - a[1]) * vy;
      int k = Math.clamp((long) Math.floor(s / bin + 0.5), 0, bins - 1);   // a point just behind a: first bin
      lo[k] = Math.min(lo[k], t);
      hi[k] = Math.max(hi[k], t);
    }
    int widest = 0;
    for (int k = 1; k < bins; k++) {
      if (hi[k] - lo[k] > hi[widest] - lo[widest]) {
        widest = k;
      }
    }
    double s = widest * bin;
    double t1 = Double.isFinite(lo[widest]) ? lo[widest] : 0;
    double t2 = Double.isFinite(hi[widest]) ? hi[widest] : 0;
    double[] p1 = {a[0] + s * ux + t1 * vx, a[1] + s * uy + t1 * vy};
    double[] p2 = {a[0] + s * ux + t2 * vx, a[1] + s * uy + t2 * vy};
    return caliper(p1, p2, sx, sy, inMm);
  }

  /** A caliper between two points in measuring units, given back in pixel coordinates. */
  private static Caliper caliper(double[] p, double[] q, double sx, double sy, boolean inMm) {
    double x1 = p[0] / sx;
    double y1 = p[1] / sy;
    double x2 = q[0] / sx;
    double y2 = q[1] / sy;
    return new Caliper(x1, y1, x2, y2, Math.hypot(x2 - x1, y2 - y1), inMm ? Math.hypot(q[0] - p[0], q[1] - p[1]) : null);
  }
}
