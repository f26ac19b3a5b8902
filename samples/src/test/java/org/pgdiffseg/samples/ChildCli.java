package org.pgdiffseg.samples;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Runs the CLI in a child JVM on this test's classpath, for what needs a process of its own (signals, locale). */
final class ChildCli {
  private ChildCli() {}

  static ProcessBuilder command(Map<String, String> environment, Path log, String... args) {
    List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "--enable-native-access=ALL-UNNAMED", "-cp", System.getProperty("java.class.path"),
        PgDiffSegCli.class.getName()));
    command.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
    pb.environment().putAll(environment);
    return pb;
  }

  static Process start(Map<String, String> environment, Path log, String... args) throws IOException {
    return command(environment, log, args).start();
  }
}
