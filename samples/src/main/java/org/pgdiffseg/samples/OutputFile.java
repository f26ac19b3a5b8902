package org.pgdiffseg.samples;

import java.nio.file.Files;
import java.nio.file.Path;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;

/**
 * Checks a command's output file option (e.g. {@code --report FILE}) before the work starts, so a path that
 * cannot be written is bad usage (exit 2) at once, not an I/O failure after a long run.
 */
final class OutputFile {
  private OutputFile() {}

  static void check(CommandSpec spec, String option, Path file) {
    if (file == null) {
      return;
    }
    if (Files.isDirectory(file)) {
      throw new ParameterException(spec.commandLine(), option + " " + file + " is a folder; name a file");
    }
    Path parent = file.toAbsolutePath().getParent();
    if (parent != null) {
      OutputFolder.prepare(spec, "the folder of " + option, parent);
    }
  }
}
