package org.pgdiffseg.samples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pgdiffseg.sdk.bundle.TestBundles;
import org.pgdiffseg.sdk.imaging.DicomFiles;
import org.pgdiffseg.sdk.testing.PythonEnvironment;

/** {@code segment} writes one DICOM Segmentation per DICOM input, names it in results.json, and --no-seg. */
class DicomSegCliTest {
  static Path tiny;
  static byte[] png;
  @TempDir Path tmp;
  String err;

  @BeforeAll
  static void load() throws Exception {
    tiny = TestBundles.tiny();
    png = Files.readAllBytes(tiny.resolve("fixtures/preprocess_input.png"));
  }

  int segment(String... args) {
    List<String> all = new ArrayList<>(List.of("--batch", "2"));
    all.addAll(List.of(args));
    CliRun r = CliRun.segmentWithTinyModel(all.toArray(String[]::new));
    err = r.err();
    return r.code();
  }

  Path write(String name, byte[] data) throws Exception {
    Path file = tmp.resolve("in").resolve(name);
    Files.createDirectories(file.getParent());
    return Files.write(file, data);
  }

  static JsonNode results(Path out) throws Exception {
    return new ObjectMapper().readTree(out.resolve("results.json").toFile());
  }

  @Test
  void everyDicomInputGetsOneSegBesideItsMasksAndABrokenSourceFailsAloneWithItsMasksKept() throws Exception {
    Path single = write("single.dcm", DicomFiles.identified(20, 24, 1, "1.2.3.1", "1.2.3.2", "1.2.3.3"));
    Path multi = write("multi.dcm", DicomFiles.identified(20, 24, 3, "1.2.3.1", "1.2.3.2", "1.2.3.4"));
    Path noStudy = write("nostudy.dcm", DicomFiles.identified(20, 24, 1, null, "1.2.3.2", "1.2.3.5"));
    write("plain.png", png);
    Path out = tmp.resolve("out");

    assertThat(segment("--out", out.toString(), tmp.resolve("in").toString())).as(err).isEqualTo(2);

    JsonNode r = results(out);
    assertThat(r.path("status").asText()).isEqualTo("complete");
    Map<String, List<String>> segsByImage = new LinkedHashMap<>();
    for (JsonNode row : r.path("results")) {
      segsByImage.computeIfAbsent(row.path("image").asText().replaceAll("#.*", ""), k -> new ArrayList<>())
          .add(row.path("seg").asText(null));
    }
    assertThat(segsByImage.get(single.toString())).containsExactly(out.resolve("single_seg.dcm").toString());
    assertThat(segsByImage.get(multi.toString())).hasSize(3)
        .containsOnly(out.resolve("multi_seg.dcm").toString());
    assertThat(segsByImage.get(noStudy.toString())).containsExactly((String) null);
    assertThat(segsByImage.get(tmp.resolve("in/plain.png").toString())).containsExactly((String) null);
    assertThat(out.resolve("single_seg.dcm")).exists();
    assertThat(out.resolve("multi_seg.dcm")).exists();
    assertThat(out.resolve("nostudy_mask.png")).exists();
    assertThat(out.resolve("nostudy_seg.dcm")).doesNotExist();
    assertThat(r.path("failures")).hasSize(1);
    assertThat(r.path("failures").get(0).path("image").asText()).isEqualTo(noStudy.toString());
    assertThat(r.path("failures").get(0).path("message").asText())
        .contains("nostudy.dcm").contains("Study Instance UID (0020,000D)");
    assertThat(err).contains("Study Instance UID (0020,000D)");

    validate(r, out, 2);
  }

  @Test
  void noSegWritesNone() throws Exception {
    write("single.dcm", DicomFiles.identified(20, 24, 1, "1.2.3.1", "1.2.3.2", "1.2.3.3"));
    write("nostudy.dcm", DicomFiles.identified(20, 24, 1, null, "1.2.3.2", "1.2.3.5"));
    Path out = tmp.resolve("out");
    assertThat(segment("--no-seg", "--out", out.toString(), tmp.resolve("in").toString())).as(err).isZero();
    JsonNode r = results(out);
    assertThat(r.path("results")).hasSize(2).allSatisfy(row -> assertThat(row.has("seg")).isFalse());
    try (var files = Files.list(out)) {
      assertThat(files.map(p -> p.getFileName().toString())).noneMatch(n -> n.endsWith(".dcm"));
    }
  }

  @Test
  void aSegNameHeldByAFileNotWrittenByPgdiffsegIsLeftAloneAndTheSegTakesAnother() throws Exception {
    write("single.dcm", DicomFiles.identified(20, 24, 1, "1.2.3.1", "1.2.3.2", "1.2.3.3"));
    write("multi.dcm", DicomFiles.identified(20, 24, 2, "1.2.3.1", "1.2.3.2", "1.2.3.4"));
    Path out = Files.createDirectories(tmp.resolve("out"));
    Files.writeString(out.resolve("single_seg.dcm"), "someone's own file");
    Files.writeString(out.resolve("multi_seg.dcm"), "someone's own file too");
    assertThat(segment("--out", out.toString(), tmp.resolve("in").toString())).as(err).isZero();
    assertThat(out.resolve("single_seg.dcm")).hasContent("someone's own file");
    assertThat(out.resolve("multi_seg.dcm")).hasContent("someone's own file too");
    List<String> segs = new ArrayList<>();
    results(out).path("results").forEach(row -> segs.add(Path.of(row.path("seg").asText()).getFileName().toString()));
    assertThat(segs).containsOnly("single_dcm_seg.dcm", "multi_dcm_seg.dcm");
    assertThat(out.resolve("single_dcm_mask.png")).exists();
  }

  @Test
  void theSegsOfSourcesWrittenByPydicomValidate() throws Exception {
    Path root = RepositoryRoot.find();
    Path python = PythonEnvironment.python(root);
    assumeTrue(python != null, "the project's Python environment (samples/python-env) is not built here;"
        + " samples/run-tests builds it and runs this check");
    Path sources = Files.createDirectories(tmp.resolve("sources"));
    Process p = new ProcessBuilder(python.toString(), root.resolve("conformance/python/validate_seg.py").toString(),
        "sources", sources.toString()).redirectErrorStream(true).start();
    String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(5, TimeUnit.MINUTES)).isTrue();
    assertThat(p.exitValue()).as(output).isZero();
    Path out = tmp.resolve("out");
    // single- and multi-frame ultrasound, CT with geometry, no spacing; explicit and implicit VR little endian
    assertThat(segment("--out", out.toString(), sources.toString())).as(err).isZero();
    JsonNode r = results(out);
    assertThat(r.path("results")).hasSize(6).allSatisfy(row -> assertThat(row.hasNonNull("seg")).isTrue());
    validate(r, out, 4);
  }

  /** The CLI's SEGs, read back by highdicom and pydicom against the masks it wrote, and checked by dciodvfy. */
  private static void validate(JsonNode results, Path out, int segs) throws Exception {
    Path root = RepositoryRoot.find();
    Path python = PythonEnvironment.python(root);
    assumeTrue(python != null, "the project's Python environment (samples/python-env) is not built here;"
        + " samples/run-tests builds it and runs this check");
    Map<String, Map<String, Object>> bySeg = new LinkedHashMap<>();
    for (JsonNode row : results.path("results")) {
      if (row.hasNonNull("seg")) {
        Map<String, Object> entry = bySeg.computeIfAbsent(row.path("seg").asText(), seg -> {
          Map<String, Object> e = new LinkedHashMap<>();
          e.put("source", row.path("image").asText().replaceAll("#.*", ""));
          e.put("seg", seg);
          e.put("masks", new ArrayList<String>());
          return e;
        });
        @SuppressWarnings("unchecked")
        List<String> masks = (List<String>) entry.get("masks");
        masks.add(row.path("mask").asText());
      }
    }
    assertThat(bySeg).hasSize(segs);
    bySeg.values().forEach(e -> {
      @SuppressWarnings("unchecked")
      List<String> masks = (List<String>) e.get("masks");
      masks.sort(null);   // frame order: _f001, _f002, ...
    });
    Path manifest = out.resolve("seg-manifest.json");
    new ObjectMapper().writeValue(manifest.toFile(), new ArrayList<>(bySeg.values()));
    Process p = new ProcessBuilder(python.toString(), root.resolve("conformance/python/validate_seg.py").toString(),
        "check", manifest.toString()).redirectErrorStream(true).start();
    String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(5, TimeUnit.MINUTES)).isTrue();
    assertThat(p.exitValue()).as(output).isZero();
  }
}
