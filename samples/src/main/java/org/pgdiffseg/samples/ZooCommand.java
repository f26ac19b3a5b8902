package org.pgdiffseg.samples;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.pgdiffseg.sdk.BundleException;
import org.pgdiffseg.sdk.bundle.ModelBundle;
import org.pgdiffseg.zoo.ModelZoo;
import org.pgdiffseg.zoo.SmallTextFile;
import org.pgdiffseg.zoo.Verification;
import org.pgdiffseg.zoo.ZooEntry;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code pgdiffseg zoo list | info | verify | pull}. */
@Command(name = "zoo", mixinStandardHelpOptions = true, description = "What the model zoo holds; verify and pull bundles.",
    subcommands = {ZooCommand.ListModels.class, ZooCommand.Info.class, ZooCommand.Verify.class, ZooCommand.Pull.class})
final class ZooCommand {
  static final String MODEL_CARD = "MODEL_CARD.md";

  @Option(names = "--cache", description = "Cache folder (default: $PGDIFFSEG_CACHE, else -Dpgdiffseg.cache, else ~/.pgdiffseg).")
  Path cache;

  ModelZoo zoo() throws BundleException {
    ModelZoo defaults = ModelZoo.defaultZoo();
    return cache == null ? defaults : new ModelZoo(cache, defaults.index());
  }

  @Command(name = "list", mixinStandardHelpOptions = true, description = "List the models of the zoo index.")
  static final class ListModels implements Callable<Integer> {
    @ParentCommand ZooCommand zoo;
    @Spec CommandSpec spec;

    @Override
    public Integer call() throws BundleException {
      ModelZoo z = zoo.zoo();
      var out = spec.commandLine().getOut();
      out.printf("%-24s %-8s %-9s %-10s %s%n", "ID", "VERSION", "SOURCE", "CACHED", "DESCRIPTION");
      for (ZooEntry e : z.index().entries()) {
        boolean cached = Files.isDirectory(z.cacheEntry(e.id(), e.version()));
        out.printf("%-24s %-8s %-9s %-10s %s%s%n", e.id(), e.version(), e.embedded() ? "embedded" : "url",
            cached ? "yes" : "no", e.description(), e.isDefault() ? " (default)" : "");
      }
      return PgDiffSegCli.OK;
    }
  }

  @Command(name = "info", mixinStandardHelpOptions = true,
      description = "Print a bundle's model card (a regular file, at most 1 MiB shown) and metrics; nothing is installed"
          + " into the cache (a zip is unpacked into the cache's unpacked folder).")
  static final class Info implements Callable<Integer> {
    @ParentCommand ZooCommand zoo;
    @Spec CommandSpec spec;
    @Parameters(paramLabel = "MODEL", description = "Model id (ID@VERSION for that version only), bundle folder or zip.") String model;

    @Override
    public Integer call() throws Exception {
      var out = spec.commandLine().getOut();
      Path path = Path.of(model);
      if (Files.exists(path)) {
        ModelBundle bundle = ModelBundle.open(path);
        Path card = bundle.root().resolve(MODEL_CARD);
        if (Files.exists(card, LinkOption.NOFOLLOW_LINKS)) {
          try {
            out.println(SmallTextFile.read(card));
          } catch (BundleException refused) {
            // the card is optional: say why it is not shown, then show what the manifest says
            out.println("(" + MODEL_CARD + " not shown: " + refused.getMessage() + ")");
            out.println(bundle.manifest().description());
          }
        } else {
          out.println(bundle.manifest().description());
        }
        out.println("Bundle folder: " + bundle.root());
        return PgDiffSegCli.OK;
      }
      ModelZoo z = zoo.zoo();
      ZooEntry entry = z.index().require(model);
      out.println(z.readFile(entry, MODEL_CARD).orElse(entry.description()));
      Path cached = z.cacheEntry(entry.id(), entry.version());
      out.println(Files.isDirectory(cached) ? "Cached in: " + cached
          : "Not in the cache yet (" + cached + "); the first command that uses it installs it there.");
      return PgDiffSegCli.OK;
    }
  }

  @Command(name = "verify", mixinStandardHelpOptions = true,
      description = {"Verify a bundle's manifest and the sha256 of every file; exit 1 when it fails.",
          "For a model id, the cache entry is checked where it is: reported OK, MISSING, FAILED (naming the file),"
              + " LINKED or STALE, never installed, repaired or deleted."})
  static final class Verify implements Callable<Integer> {
    @ParentCommand ZooCommand zoo;
    @Spec CommandSpec spec;
    @Parameters(paramLabel = "MODEL", description = "Model id (ID@VERSION for that version only), bundle folder or zip.") String model;

    @Override
    public Integer call() throws Exception {
      try {
        Verification found = zoo.zoo().verify(model);
        spec.commandLine().getOut().println(found.outcome() + " " + model + ": " + found.detail());
        return found.ok() ? PgDiffSegCli.OK : PgDiffSegCli.FAILED_CHECK;
      } catch (BundleException e) {
        spec.commandLine().getOut().println("FAILED " + model + ": " + e.getMessage()
            + (e.getCause() != null ? " (" + e.getCause().getMessage() + ")" : ""));
        return PgDiffSegCli.FAILED_CHECK;
      }
    }
  }

  @Command(name = "pull", mixinStandardHelpOptions = true,
      description = "Download a zipped bundle (https, or a file path) into the cache, verified.")
  static final class Pull implements Callable<Integer> {
    @ParentCommand ZooCommand zoo;
    @Spec CommandSpec spec;
    @Parameters(paramLabel = "SOURCE", description = "https:// URL, file:// URL or path of a bundle zip.") String source;
    @Option(names = "--sha256", description = "Expected sha256 of the zip.") String sha256;
    @Option(names = "--allow-http", description = "Allow plain http:// (off by default).") boolean allowHttp;

    @Override
    public Integer call() throws Exception {
      URI uri = source.contains("://") ? URI.create(source) : Path.of(source).toAbsolutePath().toUri();
      ModelBundle bundle = zoo.zoo().pull(uri, sha256, allowHttp);
      spec.commandLine().getOut().printf("Pulled %s %s into %s%n", bundle.manifest().id(), bundle.manifest().version(),
          bundle.root());
      return PgDiffSegCli.OK;
    }
  }
}
