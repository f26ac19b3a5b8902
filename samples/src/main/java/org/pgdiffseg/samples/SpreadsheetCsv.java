package org.pgdiffseg.samples;

import com.fasterxml.jackson.dataformat.csv.CsvGenerator;
import com.fasterxml.jackson.dataformat.csv.CsvMapper;
import com.fasterxml.jackson.dataformat.csv.CsvSchema;
import java.io.IOException;
import java.util.List;
import java.util.Locale;

/**
 * CSV as spreadsheets and pandas read it, whatever the JVM's locale: Jackson's CSV writer quotes per RFC 4180
 * (fields with commas, quotes or line breaks; quotes doubled), numbers are formatted in {@link Locale#ROOT}
 * (a comma-decimal locale would split every number in two), and a text field that starts with {@code = + - @},
 * a tab or a carriage return gets a leading apostrophe so a spreadsheet shows it as text instead of running it
 * as a formula (OWASP's advice on CSV injection). Stateless.
 */
final class SpreadsheetCsv {
  private static final CsvMapper CSV = CsvMapper.builder().enable(CsvGenerator.Feature.ALWAYS_QUOTE_EMPTY_STRINGS)
      .build();

  private SpreadsheetCsv() {}

  /** The whole file: a header line of {@code columns}, then one line per row (values: text, numbers, booleans). */
  static String write(List<String> columns, List<List<Object>> rows) throws IOException {
    CsvSchema.Builder schema = CsvSchema.builder().setUseHeader(true).setLineSeparator("\n");
    columns.forEach(schema::addColumn);
    List<List<String>> cells = rows.stream().map(r -> r.stream().map(SpreadsheetCsv::cell).toList()).toList();
    return CSV.writer(schema.build()).writeValueAsString(cells);
  }

  /** Text is neutralised; numbers get the root locale; NaN (no value) is an empty cell. */
  static String cell(Object value) {
    if (value == null) {
      return "";
    }
    if (value instanceof Double d) {
      return d.isNaN() ? "" : String.format(Locale.ROOT, "%.6f", d);
    }
    if (value instanceof Number || value instanceof Boolean) {
      return value.toString();
    }
    String text = value.toString();
    return !text.isEmpty() && "=+-@\t\r".indexOf(text.charAt(0)) >= 0 ? "'" + text : text;
  }
}
