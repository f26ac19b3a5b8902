package org.pgdiffseg.sdk.bundle;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.common.hash.Hashing;
import com.google.common.io.MoreFiles;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

/** The committed random-weight test bundle, and copies of it to break. */
public final class TestBundles {
  private TestBundles() {}

  /** zoo/models/pgdiffseg-tiny-test, found from the module's working directory. */
  public static Path tiny() {
    for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
      Path candidate = dir.resolve("zoo/models/pgdiffseg-tiny-test");
      if (Files.isDirectory(candidate)) {
        return candidate;
      }
    }
    throw new IllegalStateException("zoo/models/pgdiffseg-tiny-test not found above " + Path.of("").toAbsolutePath());
  }

  /** A writable copy of the tiny bundle under {@code dir}. */
  public static Path copyOfTiny(Path dir) {
    Path source = tiny();
    Path target = dir.resolve("bundle");
    try (Stream<Path> files = Files.walk(source)) {
      for (Path p : (Iterable<Path>) files::iterator) {
        Path out = target.resolve(source.relativize(p).toString());
        if (Files.isDirectory(p)) {
          Files.createDirectories(out);
        } else {
          Files.copy(p, out);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return target;
  }

  /**
   * A copy of the tiny bundle under {@code dir} whose bundle.json has a confidence section filled by {@code section}
   * (bundle.json is not among its own checksums: the copy stays verified).
   */
  public static Path copyOfTinyWithConfidence(Path dir, java.util.function.Consumer<ObjectNode> section)
      throws IOException {
    Path copy = copyOfTiny(dir);
    ObjectMapper json = new ObjectMapper();
    ObjectNode manifest = (ObjectNode) json.readTree(copy.resolve("bundle.json").toFile());
    section.accept(manifest.putObject("confidence"));
    Files.writeString(copy.resolve("bundle.json"), json.writeValueAsString(manifest));
    return copy;
  }

  /** Writes the sha256 of every file into the manifest again, as a re-export of a changed bundle would. */
  public static void resign(Path bundle) throws IOException {
    ObjectMapper json = new ObjectMapper();
    Path manifest = bundle.resolve("bundle.json");
    ObjectNode m = (ObjectNode) json.readTree(manifest.toFile());
    for (String graph : new String[] {"prior", "denoiser"}) {
      ObjectNode g = (ObjectNode) m.at("/graphs/" + graph);
      g.put("sha256", sha256(bundle.resolve(g.get("file").asText())));
    }
    ObjectNode files = (ObjectNode) m.get("files");
    for (var names = files.fieldNames(); names.hasNext(); ) {
      String name = names.next();
      files.put(name, sha256(bundle.resolve(name)));
    }
    json.writerWithDefaultPrettyPrinter().writeValue(manifest.toFile(), m);
  }

  /**
   * Gives {@code bundle} a diffusers scheduler_config.json with {@code config} (written as diffusers' save_config
   * does), names it in sampling_defaults.scheduler_config with {@code scheduler} as the CLI name, and re-signs.
   */
  public static void withSchedulerConfig(Path bundle, String scheduler, java.util.Map<String, Object> config)
      throws IOException {
    ObjectMapper json = new ObjectMapper();
    json.writerWithDefaultPrettyPrinter().writeValue(bundle.resolve("scheduler_config.json").toFile(), config);
    Path manifest = bundle.resolve("bundle.json");
    ObjectNode m = (ObjectNode) json.readTree(manifest.toFile());
    ((ObjectNode) m.get("sampling_defaults")).put("scheduler", scheduler).put("scheduler_config", "scheduler_config.json");
    ((ObjectNode) m.get("files")).put("scheduler_config.json", "");
    json.writerWithDefaultPrettyPrinter().writeValue(manifest.toFile(), m);
    resign(bundle);
  }

  private static String sha256(Path file) throws IOException {
    return MoreFiles.asByteSource(file).hash(Hashing.sha256()).toString();
  }
}
