package org.pgdiffseg.spark;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OutputFolderTest {
  @TempDir Path dir;
  private Path images;
  private Path masks;
  private Map<String, Path> inputs;

  @BeforeEach
  void folders() throws IOException {
    images = Files.createDirectories(dir.resolve("data/images"));
    masks = Files.createDirectories(dir.resolve("data/masks"));
    Files.writeString(images.resolve("a.png"), "image");
    inputs = new LinkedHashMap<>();
    inputs.put("--input", images);
    inputs.put("--masks", masks);
  }

  @Test
  void anOutputThatIsContainsOrLiesInsideAnInputIsRefusedEvenThroughALink() throws IOException {
    Path link = Files.createSymbolicLink(dir.resolve("link"), images);
    assertThatThrownBy(() -> OutputFolder.checkLocal(images, inputs, true))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("is the --input folder " + images);
    assertThatThrownBy(() -> OutputFolder.checkLocal(dir.resolve("data"), inputs, true))
        .hasMessageContaining("contains the --input folder");
    assertThatThrownBy(() -> OutputFolder.checkLocal(images.resolve("out/new"), inputs, false))
        .hasMessageContaining("lies inside the --input folder");
    assertThatThrownBy(() -> OutputFolder.checkLocal(masks, inputs, true))
        .hasMessageContaining("is the --masks folder");
    assertThatThrownBy(() -> OutputFolder.checkLocal(link, inputs, true)).hasMessageContaining("is the --input");
    assertThatThrownBy(() -> OutputFolder.checkLocal(link.resolve("not-yet"), inputs, true))
        .hasMessageContaining("lies inside the --input");
    assertThat(images.resolve("a.png")).hasContent("image");
  }

  @Test
  void aFolderThisJobDidNotWriteIsRefusedEvenWithOverwrite() throws IOException {
    Path output = Files.createDirectories(dir.resolve("out"));
    Files.writeString(output.resolve("_SUCCESS"), "");
    Files.writeString(output.resolve("notes.txt"), "mine");
    assertThatThrownBy(() -> OutputFolder.checkLocal(output, inputs, true))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("--output " + output, "holds notes.txt, which this job did not write");
    Path file = Files.writeString(dir.resolve("file"), "x");
    assertThatThrownBy(() -> OutputFolder.checkLocal(file, inputs, true)).hasMessageContaining("is not a folder");
  }

  @Test
  void anEarlierOutputIsReplacedOnlyWithOverwrite() throws IOException {
    Path output = Files.createDirectories(dir.resolve("out"));
    for (String name : new String[] {"_SUCCESS", "._SUCCESS.crc", "part-00000-1f.c000.snappy.parquet",
        ".part-00000-1f.c000.snappy.parquet.crc"}) {
      Files.writeString(output.resolve(name), "");
    }
    assertThatThrownBy(() -> OutputFolder.checkLocal(output, inputs, false))
        .hasMessage("--output " + output + " already holds the output of an earlier run; add --overwrite to replace it");
    assertThat(OutputFolder.checkLocal(output, inputs, true)).isEqualTo(OutputFolder.Action.REPLACE);
    assertThat(OutputFolder.checkLocal(dir.resolve("new"), inputs, false)).isEqualTo(OutputFolder.Action.CREATE);
    assertThat(OutputFolder.checkLocal(Files.createDirectories(dir.resolve("empty")), inputs, false))
        .isEqualTo(OutputFolder.Action.REPLACE);
  }

  @Test
  void theUnfinishedOutputOfAKilledRunIsNamedAndReplacedWithOverwrite() throws IOException {
    Path output = dir.resolve("out");
    Path attempt = Files.createDirectories(output.resolve("_temporary/0/_temporary/attempt_202612041200_0001_m_000000_1"));
    Files.writeString(attempt.resolve("part-00000-1f.c000.snappy.parquet"), "half");
    assertThatThrownBy(() -> OutputFolder.checkLocal(output, inputs, false))
        .hasMessageContaining("unfinished output of an earlier run", "rerun with --overwrite");
    assertThat(OutputFolder.checkLocal(output, inputs, true)).isEqualTo(OutputFolder.Action.REPLACE);
    Files.createSymbolicLink(attempt.resolve("part-00001-1f.c000.snappy.parquet"), images.resolve("a.png"));
    assertThatThrownBy(() -> OutputFolder.checkLocal(output, inputs, true)).hasMessageContaining("did not write");
  }

  @Test
  void theSameContentRulesHoldOnAHadoopFileSystem() throws IOException {
    Configuration conf = new Configuration();
    Path output = dir.resolve("out");
    String uri = output.toUri().toString();
    assertThat(OutputFolder.checkRemote(uri, conf, false)).isEqualTo(OutputFolder.Action.CREATE);
    Path attempt = Files.createDirectories(output.resolve("_temporary/0/task_1"));
    Files.writeString(attempt.resolve("part-00000-1f.c000.snappy.parquet"), "half");
    assertThatThrownBy(() -> OutputFolder.checkRemote(uri, conf, false)).hasMessageContaining("rerun with --overwrite");
    assertThat(OutputFolder.checkRemote(uri, conf, true)).isEqualTo(OutputFolder.Action.REPLACE);
    Files.writeString(output.resolve("notes.txt"), "mine");
    assertThatThrownBy(() -> OutputFolder.checkRemote(uri, conf, true))
        .hasMessageContaining("holds notes.txt, which this job did not write");
  }
}
