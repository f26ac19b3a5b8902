package org.pgdiffseg.samples;

import java.io.PrintWriter;
import org.pgdiffseg.sdk.PgDiffSegException;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** Entry point of the {@code pgdiffseg} command. Exit codes: 0 success, 1 failed check, 2 bad usage or input. */
@Command(
    name = "pgdiffseg",
    mixinStandardHelpOptions = true,
    versionProvider = VersionProvider.class,
    description = "Breast-lesion segmentation with the PGDiffSeg diffusion model (research software, not for diagnosis).",
    subcommands = {SegmentCommand.class, EvalCommand.class, TrajectoryCommand.class, BenchCommand.class,
        ZooCommand.class, ConformanceCommand.class, CommandLine.HelpCommand.class})
public final class PgDiffSegCli implements Runnable {
  public static final int OK = 0;
  public static final int FAILED_CHECK = 1;
  public static final int BAD_INPUT = 2;

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    throw new CommandLine.ParameterException(spec.commandLine(), "name a command");
  }

  public static void main(String[] args) {
    System.exit(run(args, new PrintWriter(System.out, true), new PrintWriter(System.err, true)));
  }

  private static void hide(CommandLine command, String... options) {
    CommandLine.Model.CommandSpec spec = command.getCommandSpec();
    for (String option : options) {
      spec.remove(spec.findOption(option));
    }
  }

  /** Runs the CLI with the given streams; returns the exit code. */
  public static int run(String[] args, PrintWriter out, PrintWriter err) {
    CommandLine cli = new CommandLine(new PgDiffSegCli());
    cli.setOut(out);
    cli.setCaseInsensitiveEnumValuesAllowed(true);
    cli.setErr(err);
    cli.setExitCodeExceptionMapper(e -> e instanceof PgDiffSegException || e instanceof IllegalArgumentException
        ? BAD_INPUT : FAILED_CHECK);
    cli.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
      commandLine.getErr().println("pgdiffseg: " + e.getMessage());
      return commandLine.getExitCodeExceptionMapper().getExitCode(e);
    });
    // A mistyped option gets its near matches and a pointer to --help, not forty lines of usage.
    cli.setParameterExceptionHandler((e, args1) -> {
      PrintWriter err1 = e.getCommandLine().getErr();
      err1.println("pgdiffseg: " + e.getMessage());
      if (e instanceof CommandLine.UnmatchedArgumentException unmatched) {
        CommandLine.UnmatchedArgumentException.printSuggestions(unmatched, err1);
      }
      err1.println("Run '" + e.getCommandLine().getCommandSpec().qualifiedName() + " --help' for its options.");
      return BAD_INPUT;
    });
    // Options the command overrides would be accepted and do nothing: they are not offered there.
    hide(cli.getSubcommands().get("trajectory"), "--no-gating", "--gate-threshold");
    hide(cli.getSubcommands().get("bench"), "--no-gating");
    HelpText.apply(cli);
    return cli.execute(args);
  }
}
