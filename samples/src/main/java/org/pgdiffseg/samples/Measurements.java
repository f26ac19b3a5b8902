package org.pgdiffseg.samples;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.pgdiffseg.sdk.imaging.OverlayRenderer;
import org.pgdiffseg.sdk.metrics.LesionMeasurements;
import org.pgdiffseg.sdk.metrics.LesionMeasurements.Caliper;
import org.pgdiffseg.sdk.metrics.LesionMeasurements.Lesion;

/** Lesion measurements as the commands show them: JSON for the records, caliper lines for the overlay. */
final class Measurements {
  private Measurements() {}

  /** {@code spacing_mm} (null when unknown) and every lesion, largest first, in pixels and millimetres. */
  static Map<String, Object> json(LesionMeasurements m) {
    Map<String, Object> json = new LinkedHashMap<>();
    json.put("spacing_mm", m.spacing() == null ? null
        : Map.of("row", m.spacing().rowMm(), "column", m.spacing().columnMm()));
    List<Map<String, Object>> lesions = new ArrayList<>();
    for (Lesion l : m.lesions()) {
      Map<String, Object> lesion = new LinkedHashMap<>();
      lesion.put("area_px", l.areaPixels());
      lesion.put("area_mm2", l.areaMm2());
      lesion.put("longest", caliper(l.longest()));
      lesion.put("perpendicular", caliper(l.perpendicular()));
      lesion.put("bbox_px", List.of(l.left(), l.top(), l.width(), l.height()));
      lesions.add(lesion);
    }
    json.put("lesions", lesions);
    return json;
  }

  private static Map<String, Object> caliper(Caliper c) {
    Map<String, Object> json = new LinkedHashMap<>();
    json.put("px", c.lengthPixels());
    json.put("mm", c.lengthMm());
    json.put("from", List.of(c.x1(), c.y1()));
    json.put("to", List.of(c.x2(), c.y2()));
    return json;
  }

  /** The largest lesion's two calipers, each with its length (mm when known, else px). */
  static List<OverlayRenderer.Line> calipers(LesionMeasurements m) {
    return m.largest().map(l -> List.of(line(l.longest()), line(l.perpendicular()))).orElse(List.of());
  }

  private static OverlayRenderer.Line line(Caliper c) {
    String text = c.lengthMm() != null ? String.format(Locale.ROOT, "%.1f mm", c.lengthMm())
        : String.format(Locale.ROOT, "%.0f px", c.lengthPixels());
    return new OverlayRenderer.Line(c.x1(), c.y1(), c.x2(), c.y2(), text);
  }
}
