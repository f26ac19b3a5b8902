package org.pgdiffseg.samples;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.List;
import org.pgdiffseg.sdk.bundle.TestBundles;

/** One in-process run of the CLI: its exit code and what it printed. */
record CliRun(int code, String out, String err) {
  /** {@code segment} with the test bundle at 2 steps on CPU, then {@code args}. */
  static CliRun segmentWithTinyModel(String... args) {
    List<String> all = new ArrayList<>(List.of("segment", "--model", TestBundles.tiny().toString(), "--steps", "2",
        "--cpu"));
    all.addAll(List.of(args));
    return of(all.toArray(String[]::new));
  }

  static CliRun of(String... args) {
    StringWriter o = new StringWriter();
    StringWriter e = new StringWriter();
    int code = PgDiffSegCli.run(args, new PrintWriter(o, true), new PrintWriter(e, true));
    return new CliRun(code, o.toString(), e.toString());
  }
}
