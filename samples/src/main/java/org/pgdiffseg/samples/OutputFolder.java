package org.pgdiffseg.samples;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;

/** Checks and creates a command's {@code --out} folder; a path that cannot be one is bad usage (exit 2). */
final class OutputFolder {
  private OutputFolder() {}

  static void prepare(CommandSpec spec, Path out) {
    prepare(spec, "--out", out);
  }

  /** {@code option} names the command-line option the folder came from, for the message. */
  static void prepare(CommandSpec spec, String option, Path out) {
    if (Files.exists(out) && !Files.isDirectory(out)) {
      throw new ParameterException(spec.commandLine(), option + " " + out + " is a file, not a folder; name a folder"
          + " (it is created when missing)");
    }
    try {
      Files.createDirectories(out);
    } catch (IOException e) {
      throw new ParameterException(spec.commandLine(), option + " " + out + " cannot be created as a folder ("
          + e.getClass().getSimpleName() + ": " + e.getMessage() + "); is part of the path a file?");
    }
  }
}
