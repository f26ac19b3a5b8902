package org.pgdiffseg.samples;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.pgdiffseg.conformance.ConformanceReport;
import org.pgdiffseg.conformance.ConformanceSuite;
import org.pgdiffseg.sdk.BundleException;
import org.pgdiffseg.sdk.runtime.SessionConfig;
import org.pgdiffseg.zoo.ModelZoo;
import org.pgdiffseg.zoo.ZooEntry;
import org.pgdiffseg.zoo.ZooIndex;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code pgdiffseg conformance}: does this bundle, run by this SDK, reproduce its PyTorch reference? */
@Command(name = "conformance", mixinStandardHelpOptions = true,
    description = {"Validate a bundle and the SDK against reference outputs (docs/conformance.md).",
        "Prints every check, writes --report (JSON) and --junit (JUnit XML) when given. Exit code 1 on any failure."})
final class ConformanceCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Option(names = "--bundle", required = true, paramLabel = "ID|DIR",
      description = "Bundle folder or zip, or a zoo model id (checked in the zoo's cache, installed there first).")
  String bundle;

  @Option(names = "--fixtures", paramLabel = "DIR", description = "Fixture folder (default: the bundle's fixtures/).")
  Path fixtures;

  @Option(names = "--data", paramLabel = "DIR", description = "BUSI-layout folder; checks the manifest's claimed validation Dice.")
  Path data;

  @Option(names = "--report", paramLabel = "FILE", description = "Write the JSON report here.")
  Path report;

  @Option(names = "--junit", paramLabel = "FILE", description = "Write a JUnit XML report here.")
  Path junit;

  @Mixin DeviceOptions device = new DeviceOptions();

  @Override
  public Integer call() throws Exception {
    OutputFile.check(spec, "--report", report);   // before the checks run, not after
    OutputFile.check(spec, "--junit", junit);
    device.check();   // --device cuda without CUDA: one sentence, exit 2, before any check runs
    Path folder = bundleFolder();
    ConformanceReport result;
    try (Progress progress = Progress.start("conformance", -1, spec.commandLine().getErr())) {
      result = new ConformanceSuite(folder, fixtures, data, SessionConfig.builder().device(device.choice()).build())
          .run(check -> progress.done(check.status() + " " + check.name()));
    }
    result.print(spec.commandLine().getOut());
    if (report != null) {
      result.writeJson(report);
    }
    if (junit != null) {
      result.writeJUnitXml(junit);
    }
    return result.passed() ? PgDiffSegCli.OK : PgDiffSegCli.FAILED_CHECK;
  }

  /** A folder or zip as given; else the zoo's copy of a model id; anything else is bad usage (exit 2). */
  private Path bundleFolder() {
    Path asPath = Path.of(bundle);
    if (Files.exists(asPath)) {
      return asPath;
    }
    try {
      ZooIndex index = ZooIndex.embedded();
      if (index.find(bundle).isEmpty()) {
        throw new ParameterException(spec.commandLine(), "--bundle " + bundle + ": no such folder or zip, and not a"
            + " zoo model id (" + index.entries().stream().map(ZooEntry::id).toList() + ")");
      }
      return ModelZoo.defaultZoo().get(bundle).root();
    } catch (BundleException e) {
      throw new ParameterException(spec.commandLine(), "--bundle " + bundle + ": " + e.getMessage());
    }
  }
}
