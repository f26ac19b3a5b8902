package org.pgdiffseg.samples;

import java.util.List;
import java.util.Locale;
import org.pgdiffseg.sdk.imaging.OverlayRenderer;
import org.pgdiffseg.sdk.metrics.LesionMeasurements;
import org.pgdiffseg.sdk.metrics.LesionMeasurements.Caliper;

/** Lesion measurements as the overlay shows them: the largest lesion's calipers with their lengths. */
final class CaliperLines {
  private CaliperLines() {}

  /** The largest lesion's two calipers, each with its length (mm when known, else px). */
  static List<OverlayRenderer.Line> of(LesionMeasurements m) {
    return m.largest().map(l -> List.of(line(l.longest()), line(l.perpendicular()))).orElse(List.of());
  }

  private static OverlayRenderer.Line line(Caliper c) {
    String text = c.lengthMm() != null ? String.format(Locale.ROOT, "%.1f mm", c.lengthMm())
        : String.format(Locale.ROOT, "%.0f px", c.lengthPixels());
    return new OverlayRenderer.Line(c.x1(), c.y1(), c.x2(), c.y2(), text);
  }
}
