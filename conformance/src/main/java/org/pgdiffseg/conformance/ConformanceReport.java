package org.pgdiffseg.conformance;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.google.common.escape.Escaper;
import com.google.common.xml.XmlEscapers;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The outcome of a conformance run: every check, a summary, and its JSON and JUnit XML forms. */
public record ConformanceReport(String bundle, List<CheckResult> checks) {
  public ConformanceReport {
    checks = List.copyOf(checks);
  }

  public long count(CheckResult.Status status) {
    return checks.stream().filter(c -> c.status() == status).count();
  }

  public boolean passed() {
    return count(CheckResult.Status.FAILED) == 0 && count(CheckResult.Status.PASSED) > 0;
  }

  public void print(PrintWriter out) {
    out.println("Conformance of " + bundle);
    for (CheckResult c : checks) {
      out.printf("  %-11s %-36s %s%n", c.status(), c.name(), c.detail());
    }
    out.printf("%d passed, %d failed, %d skipped, %d unsupported, %d not run%n", count(CheckResult.Status.PASSED),
        count(CheckResult.Status.FAILED), count(CheckResult.Status.SKIPPED), count(CheckResult.Status.UNSUPPORTED),
        count(CheckResult.Status.NOT_RUN));
    out.flush();
  }

  public void writeJson(Path file) throws IOException {
    Map<String, Object> json = new LinkedHashMap<>();
    json.put("bundle", bundle);
    json.put("passed", passed());
    Map<String, Object> summary = new LinkedHashMap<>();
    for (CheckResult.Status status : CheckResult.Status.values()) {
      summary.put(status.name().toLowerCase(), count(status));
    }
    json.put("summary", summary);
    json.put("ran", checks.stream().filter(CheckResult::ran).map(CheckResult::name).toList());
    json.put("not_run", checks.stream().filter(c -> !c.ran()).map(CheckResult::name).toList());
    json.put("checks", checks.stream().map(c -> {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("name", c.name());
      m.put("status", c.status().name().toLowerCase());
      m.put("ran", c.ran());
      m.put("detail", c.detail());
      if (!Double.isNaN(c.measured())) {
        m.put("measured", c.measured());
      }
      if (!Double.isNaN(c.tolerance())) {
        m.put("tolerance", c.tolerance());
      }
      return m;
    }).toList());
    new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(file.toFile(), json);
  }

  public void writeJUnitXml(Path file) throws IOException {
    Escaper xml = XmlEscapers.xmlAttributeEscaper();
    StringBuilder s = new StringBuilder("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    s.append(String.format("<testsuite name=\"%s\" tests=\"%d\" failures=\"%d\" skipped=\"%d\">%n", xml.escape(
        "conformance " + bundle), checks.size(), count(CheckResult.Status.FAILED),
        checks.size() - count(CheckResult.Status.PASSED) - count(CheckResult.Status.FAILED)));
    for (CheckResult c : checks) {
      s.append("  <testcase classname=\"conformance\" name=\"").append(xml.escape(c.name())).append("\">");
      switch (c.status()) {
        case FAILED -> s.append("<failure message=\"").append(xml.escape(c.detail())).append("\"/>");
        case SKIPPED, UNSUPPORTED -> s.append("<skipped message=\"").append(xml.escape(c.detail())).append("\"/>");
        case NOT_RUN -> s.append("<skipped message=\"").append(xml.escape("not run: " + c.detail())).append("\"/>");
        default -> { }
      }
      s.append("</testcase>\n");
    }
    s.append("</testsuite>\n");
    Files.writeString(file, s);
  }
}
