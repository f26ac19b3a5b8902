package org.pgdiffseg.conformance;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.pgdiffseg.sdk.pipeline.SegmentationResult;

/**
 * An end-to-end case's confidence and uncertainty map against the reference's ({@code pgdiffseg.confidence}'s
 * definitions on the reference pipeline): each signal the bundle's model uses, the confidence and its review flag,
 * and where the fixture has one, the uncertainty map. A bundle without a confidence section is checked only on
 * the map.
 */
final class ReferenceJudgement {
  private ReferenceJudgement() {}

  static List<CheckResult> check(String caseName, JsonNode c, SegmentationResult r, Path folder, double tolerance)
      throws IOException {
    List<CheckResult> out = new ArrayList<>();
    JsonNode expected = c.path("confidence");
    if (expected.has("value")) {
      String name = "confidence, " + caseName;
      if (r.confidence() == null) {
        out.add(CheckResult.failed(name, "the fixture has a confidence, the SDK none (no confidence section?)",
            Double.NaN, tolerance));
      } else {
        double worst = Math.abs(expected.path("value").asDouble() - r.confidence().value());
        StringBuilder detail = new StringBuilder(String.format("confidence %.4f, reference %.4f",
            r.confidence().value(), expected.path("value").asDouble()));
        for (Map.Entry<String, Double> s : r.confidence().signals().entrySet()) {
          double reference = expected.path("signals").path(s.getKey()).asDouble(Double.NaN);
          double d = Math.abs(reference - s.getValue());
          worst = Double.isNaN(d) ? Double.POSITIVE_INFINITY : Math.max(worst, d);
          detail.append(String.format("; %s %.4f, reference %.4f", s.getKey(), s.getValue(), reference));
        }
        // The review flags can differ only where the threshold lies between two confidences within the tolerance.
        if (r.confidence().review() != expected.path("review").asBoolean()) {
          detail.append("; review ").append(r.confidence().review()).append(", reference ")
              .append(expected.path("review").asBoolean()).append(" (the threshold lies between them)");
        }
        out.add(worst <= tolerance ? CheckResult.passed(name, detail.toString(), worst, tolerance)
            : CheckResult.failed(name, detail.toString(), worst, tolerance));
      }
    }
    if (c.hasNonNull("uncertainty")) {
      float[] reference = NpyArray.read(folder.resolve(c.path("uncertainty").asText())).floats();
      if (reference.length != r.uncertainty().length) {
        out.add(CheckResult.failed("uncertainty map, " + caseName, "the reference has " + reference.length
            + " values, the SDK's map " + r.uncertainty().length, Double.NaN, tolerance));
        return out;
      }
      double worst = 0;
      for (int i = 0; i < reference.length; i++) {
        worst = Math.max(worst, Math.abs(reference[i] - r.uncertainty()[i]));
      }
      out.add(CheckResult.atMost("uncertainty map, " + caseName, "max |uncertainty - reference|", worst, tolerance));
    }
    return out;
  }
}
