package org.pgdiffseg.samples;

import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.UsageMessageSpec;

/**
 * How the commands' help reads. Descriptions are written in the source as several short strings for
 * readability; picocli would print each as a line of its own and wrap the long ones again, breaking sentences
 * (and even "results.json") in two. Here the strings of a command's description become one paragraph, which
 * picocli wraps once at the help width; an empty string starts a new paragraph. (Options' descriptions are single
 * strings in the source, which picocli wraps the same way.) Every command gets {@code -V}
 * ({@code segment -V} printed nothing: only the top command had a version provider).
 */
final class HelpText {
  /** Wide enough that file names and option lists rarely break, narrow enough for an 100-column terminal. */
  static final int WIDTH = 100;

  private HelpText() {}

  static void apply(CommandLine cli) {
    CommandSpec spec = cli.getCommandSpec();
    UsageMessageSpec usage = spec.usageMessage();
    usage.width(WIDTH);
    usage.description(reflow(usage.description()));
    if (spec.versionProvider() == null) {
      spec.versionProvider(new VersionProvider());
    }
    cli.getSubcommands().values().forEach(HelpText::apply);
  }

  /** Lines joined into paragraphs; "" separates paragraphs. */
  static String[] reflow(String[] lines) {
    List<String> paragraphs = new ArrayList<>();
    StringBuilder current = new StringBuilder();
    for (String line : lines) {
      if (line.isBlank()) {
        if (!current.isEmpty()) {
          paragraphs.add(current.toString());
          current.setLength(0);
        }
        continue;
      }
      if (!current.isEmpty()) {
        current.append(' ');
      }
      current.append(line.strip());
    }
    if (!current.isEmpty()) {
      paragraphs.add(current.toString());
    }
    return paragraphs.toArray(String[]::new);
  }
}
