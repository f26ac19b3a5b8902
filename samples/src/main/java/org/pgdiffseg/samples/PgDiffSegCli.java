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
    cli.setParameterExceptionHandler((e, args1) -> {
      e.getCommandLine().getErr().println("pgdiffseg: " + e.getMessage());
      e.getCommandLine().usage(e.getCommandLine().getErr());
      return BAD_INPUT;
    });
    return cli.execute(args);
  }
}
