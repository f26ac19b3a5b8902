package org.pgdiffseg.samples;

import java.nio.file.Path;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;

/** A process that holds an output folder as a run does, until its standard input closes: {@code FolderHolder DIR}. */
final class FolderHolder {
  private FolderHolder() {}

  public static void main(String[] args) throws Exception {
    CommandSpec spec = new CommandLine(new PgDiffSegCli()).getCommandSpec();
    try (OutputFolder held = OutputFolder.claim(spec, "--out", Path.of(args[0]))) {
      System.out.println("held");
      System.out.flush();
      while (System.in.read() >= 0) {
        // wait for the test to close our standard input
      }
    }
  }
}
