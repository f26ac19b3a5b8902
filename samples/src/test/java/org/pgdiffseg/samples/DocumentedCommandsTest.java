package org.pgdiffseg.samples;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * The {@code samples/pgdiffseg} commands that README.md and docs/*.md show (in code blocks and inline code) are
 * ones the CLI accepts: each parses, and the cheap ones (help, version, zoo list / info, verify of a folder)
 * run with exit 0. Relative paths are the repository root's, where the docs say the commands run.
 */
class DocumentedCommandsTest {
  static final Path ROOT = RepositoryRoot.find();
  static final String LAUNCHER = "samples/pgdiffseg";
  static final Pattern FENCED = Pattern.compile("```[a-z]*\n(.*?)```", Pattern.DOTALL);
  static final Pattern INLINE = Pattern.compile("`(samples/pgdiffseg(?: [^`]*)?)`");

  /** A command as the docs show it, and where. */
  record Documented(String where, List<String> args) {}

  static List<Path> docs() throws IOException {
    List<Path> files = new ArrayList<>(List.of(ROOT.resolve("README.md")));
    try (Stream<Path> listing = Files.list(ROOT.resolve("docs"))) {
      listing.filter(p -> p.toString().endsWith(".md")).sorted().forEach(files::add);
    }
    return files;
  }

  static List<Documented> commands() throws IOException {
    List<Documented> found = new ArrayList<>();
    for (Path doc : docs()) {
      String text = Files.readString(doc);
      Matcher fenced = FENCED.matcher(text);
      while (fenced.find()) {
        for (String line : fenced.group(1).replace("\\\n", " ").split("\n")) {
          if (line.strip().startsWith(LAUNCHER + " ") || line.strip().equals(LAUNCHER)) {
            found.add(new Documented(ROOT.relativize(doc) + ": " + line.strip(), words(line)));
          }
        }
      }
      Matcher inline = INLINE.matcher(text.replaceAll("```.*?```", ""));
      while (inline.find()) {
        String command = inline.group(1).replaceAll("\\s+", " ");
        found.add(new Documented(ROOT.relativize(doc) + ": " + command, words(command)));
      }
    }
    return found;
  }

  /** Words after the launcher, split at blanks, quotes removed (the docs use no other shell syntax). */
  static List<String> words(String line) {
    List<String> words = new ArrayList<>();
    Matcher m = Pattern.compile("\"([^\"]*)\"|'([^']*)'|(\\S+)").matcher(line.strip());
    while (m.find()) {
      words.add(m.group(1) != null ? m.group(1) : m.group(2) != null ? m.group(2) : m.group(3));
    }
    return words.subList(1, words.size());
  }

  static boolean isCheap(List<String> args) {
    String joined = String.join(" ", args);
    return args.isEmpty() || args.contains("--help") || args.contains("--version") || joined.startsWith("zoo list")
        || joined.startsWith("zoo info") || (joined.startsWith("zoo verify") && Files.isDirectory(ROOT.resolve(args.getLast())));
  }

  @Test
  void theDocsShowCommands() throws Exception {
    assertThat(commands()).hasSizeGreaterThanOrEqualTo(10);
  }

  @Test
  void everyDocumentedCommandParses() throws Exception {
    for (Documented c : commands()) {
      if (c.args().isEmpty()) {
        continue;   // the bare launcher: usage, exit 2 by design
      }
      CommandLine cli = new CommandLine(new PgDiffSegCli()).setCaseInsensitiveEnumValuesAllowed(true);
      try {
        cli.parseArgs(c.args().toArray(String[]::new));
      } catch (CommandLine.ParameterException e) {
        throw new AssertionError(c.where() + ": " + e.getMessage(), e);
      }
    }
  }

  @Test
  void theCheapDocumentedCommandsRun() throws Exception {
    int ran = 0;
    for (Documented c : commands()) {
      if (c.args().isEmpty() || !isCheap(c.args())) {
        continue;
      }
      String[] args = c.args().stream().map(a -> a.contains("/") && Files.exists(ROOT.resolve(a)) ? ROOT.resolve(a).toString() : a)
          .toArray(String[]::new);
      StringWriter out = new StringWriter();
      StringWriter err = new StringWriter();
      int code = PgDiffSegCli.run(args, new PrintWriter(out, true), new PrintWriter(err, true));
      assertThat(code).as(c.where() + "\n" + err).isZero();
      ran++;
    }
    assertThat(ran).as("cheap commands found").isGreaterThanOrEqualTo(4);
  }

  @Test
  void pythonCommandsUseTheProjectEnvironmentAndTheirDataPathsFitWhereTheyRun() throws Exception {
    Pattern code = Pattern.compile("```[a-z]*\n(.*?)```|`([^`]+)`", Pattern.DOTALL);
    for (Path doc : docs()) {
      String text = Files.readString(doc);
      assertThat(text).as(doc + ": a venv path that samples/python-env does not create").doesNotContain(".venv/bin/python");
      Matcher m = code.matcher(text);
      while (m.find()) {
        String block = m.group(1) != null ? m.group(1).replace("\\\n", " ") : m.group(2).replaceAll("\\s+", " ");
        for (String command : block.split("\n")) {
          if (command.contains("cd zoo/python") && command.contains("--data")) {
            assertThat(command).as(doc + ": --data from zoo/python").contains("--data ../../../shared/data/busi");
          }
        }
      }
    }
  }
}
