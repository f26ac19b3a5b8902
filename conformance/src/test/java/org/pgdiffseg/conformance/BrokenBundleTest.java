package org.pgdiffseg.conformance;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.common.hash.Hashing;
import com.google.common.io.MoreFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pgdiffseg.sdk.runtime.SessionConfig;

/** The suite catches real defects: each broken variant of the test bundle fails, naming what differs. */
class BrokenBundleTest {
  static final ObjectMapper JSON = new ObjectMapper();
  @TempDir Path tmp;

  Path copy() throws IOException {
    Path source = CommittedBundlesConformanceTest.tiny();
    Path target = tmp.resolve("bundle");
    try (Stream<Path> files = Files.walk(source)) {
      for (Path p : (Iterable<Path>) files::iterator) {
        Path out = target.resolve(source.relativize(p).toString());
        if (Files.isDirectory(p)) {
          Files.createDirectories(out);
        } else {
          Files.copy(p, out);
        }
      }
    }
    return target;
  }

  /** Re-signs the manifest after a change, as someone re-exporting a broken model would. */
  static void resign(Path bundle) throws IOException {
    ObjectNode m = (ObjectNode) JSON.readTree(bundle.resolve("bundle.json").toFile());
    for (String g : new String[] {"prior", "denoiser"}) {
      ObjectNode graph = (ObjectNode) m.at("/graphs/" + g);
      graph.put("sha256", sha(bundle.resolve(graph.get("file").asText())));
    }
    ObjectNode files = (ObjectNode) m.get("files");
    for (var it = files.fieldNames(); it.hasNext(); ) {
      String name = it.next();
      files.put(name, sha(bundle.resolve(name)));
    }
    JSON.writerWithDefaultPrettyPrinter().writeValue(bundle.resolve("bundle.json").toFile(), m);
  }

  static String sha(Path file) throws IOException {
    return MoreFiles.asByteSource(file).hash(Hashing.sha256()).toString();
  }

  static void editManifest(Path bundle, java.util.function.Consumer<ObjectNode> edit) throws IOException {
    ObjectNode m = (ObjectNode) JSON.readTree(bundle.resolve("bundle.json").toFile());
    edit.accept(m);
    JSON.writerWithDefaultPrettyPrinter().writeValue(bundle.resolve("bundle.json").toFile(), m);
  }

  static ConformanceReport run(Path bundle) {
    return new ConformanceSuite(bundle, null, null, SessionConfig.cpuOnly()).run();
  }

  static void assertFails(ConformanceReport report, String check, String message) {
    assertThat(report.passed()).isFalse();
    assertThat(report.checks()).filteredOn(c -> c.name().equals(check)).singleElement()
        .satisfies(c -> {
          assertThat(c.status()).isEqualTo(CheckResult.Status.FAILED);
          assertThat(c.detail()).contains(message);
        });
  }

  @Test
  void perturbedWeights() throws Exception {
    Path b = copy();
    Files.copy(Path.of("src/test/resources/broken/prior-other-weights.onnx"), b.resolve("prior.onnx"),
        StandardCopyOption.REPLACE_EXISTING);
    resign(b);
    ConformanceReport report = run(b);
    assertFails(report, "graph output prior batch 1", "max |SDK graph - PyTorch|");
    assertThat(report.checks()).filteredOn(c -> c.name().startsWith("end to end"))
        .allSatisfy(c -> assertThat(c.status()).isEqualTo(CheckResult.Status.FAILED));
  }

  @Test
  void wrongNormalisationInTheManifest() throws Exception {
    Path b = copy();
    editManifest(b, m -> ((ArrayNode) m.at("/input/normalization_range")).removeAll().add(0.0).add(1.0));
    assertFails(run(b), "preprocessing", "training preprocessing");
  }

  @Test
  void swappedInputs() throws Exception {
    Path b = copy();
    editManifest(b, m -> {
      ArrayNode inputs = (ArrayNode) m.at("/graphs/denoiser/inputs");
      var first = inputs.get(0);
      inputs.set(0, inputs.get(1));
      inputs.set(1, first);
    });
    assertFails(run(b), "graph I/O contract", "bundle.json declares [image, x_t, t, prior], the graph has [x_t, image, t, prior]");
  }

  @Test
  void wrongOpset() throws Exception {
    Path b = copy();
    editManifest(b, m -> ((ObjectNode) m.at("/graphs/denoiser")).put("opset", 16));
    assertFails(run(b), "opset denoiser", "bundle.json declares opset 16, the graph has 17");
  }

  @Test
  void truncatedGraph() throws Exception {
    Path b = copy();
    byte[] graph = Files.readAllBytes(b.resolve("denoiser.onnx"));
    Files.write(b.resolve("denoiser.onnx"), java.util.Arrays.copyOf(graph, graph.length / 2));
    resign(b);
    assertFails(run(b), "graph I/O contract", "denoiser.onnx");
  }

  @Test
  void tamperedFileWithoutResigning() throws Exception {
    Path b = copy();
    Files.writeString(b.resolve("MODEL_CARD.md"), "changed");
    assertFails(run(b), "manifest and sha256", "Checksum error");
  }

  @Test
  void theReportsAreWritten() throws Exception {
    ConformanceReport report = run(CommittedBundlesConformanceTest.tiny());
    report.writeJson(tmp.resolve("r.json"));
    report.writeJUnitXml(tmp.resolve("r.xml"));
    assertThat(JSON.readTree(tmp.resolve("r.json").toFile()).get("passed").asBoolean()).isTrue();
    assertThat(Files.readString(tmp.resolve("r.xml"))).contains("<testsuite").contains("end to end ddim 20 steps");
  }
}
