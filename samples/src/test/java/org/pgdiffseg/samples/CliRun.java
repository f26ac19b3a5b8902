package org.pgdiffseg.samples;

import java.io.PrintWriter;
import java.io.StringWriter;

/** One in-process run of the CLI: its exit code and what it printed. */
record CliRun(int code, String out, String err) {
  static CliRun of(String... args) {
    StringWriter o = new StringWriter();
    StringWriter e = new StringWriter();
    int code = PgDiffSegCli.run(args, new PrintWriter(o, true), new PrintWriter(e, true));
    return new CliRun(code, o.toString(), e.toString());
  }
}
