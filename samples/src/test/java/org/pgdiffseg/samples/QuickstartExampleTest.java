package org.pgdiffseg.samples;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The README's Java example runs, and README.md shows exactly its code. */
class QuickstartExampleTest {
  static Path root() {
    for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
      if (Files.exists(dir.resolve("README.md")) && Files.isDirectory(dir.resolve("samples"))) {
        return dir;
      }
    }
    throw new IllegalStateException("repository root not found");
  }

  @Test
  void theExampleRunsOnTheTestBundle() throws Exception {
    Path root = root();
    QuickstartExample.main(new String[] {root.resolve("zoo/models/pgdiffseg-tiny-test").toString(),
        root.resolve("samples/images/benign_306.png").toString()});
    assertThat(Path.of("scan_mask.png")).exists();
    Files.delete(Path.of("scan_mask.png"));
  }

  @Test
  void theReadmeShowsTheExampleAsItRuns() throws Exception {
    Path root = root();
    String source = Files.readString(root.resolve("samples/src/main/java/org/pgdiffseg/samples/QuickstartExample.java"));
    String example = source.substring(source.indexOf("// README example starts") + "// README example starts".length(),
        source.indexOf("    // README example ends")).stripIndent().strip();
    String readme = Files.readString(root.resolve("README.md"));
    assertThat(readme.replaceAll("\\s+", " "))
        .contains(example.replace("ModelZoo.resolve(model)", "ModelZoo.resolve(\"pgdiffseg-busi-128\")")
            .replace("segmenter.segment(scan)", "segmenter.segment(Path.of(\"scan.png\"))").replaceAll("\\s+", " "));
  }
}
