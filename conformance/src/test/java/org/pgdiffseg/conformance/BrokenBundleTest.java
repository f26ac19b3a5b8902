package org.pgdiffseg.conformance;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pgdiffseg.sdk.bundle.TestBundles;
import org.pgdiffseg.sdk.runtime.SessionConfig;
import org.pgdiffseg.sdk.schedule.SchedulerSpec;

/** The suite catches real defects: each broken variant of the test bundle fails, naming what differs. */
class BrokenBundleTest {
  static final ObjectMapper JSON = new ObjectMapper();
  @TempDir Path tmp;

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
  void aCaseFromZerosRunFromNoiseFails() throws Exception {
    Path fixtures = tmp.resolve("fixtures");
    Files.createDirectories(fixtures);
    try (var files = Files.list(TestBundles.tiny().resolve("fixtures"))) {
      for (Path f : files.toList()) {
        Files.copy(f, fixtures.resolve(f.getFileName().toString()));
      }
    }
    ObjectNode index = (ObjectNode) JSON.readTree(fixtures.resolve("index.json").toFile());
    for (var c : index.withArray("end_to_end")) {
      if (c.path("initial_sample").asText().equals("zeros")) {
        ((ObjectNode) c).put("initial_sample", "noise");
      }
    }
    JSON.writeValue(fixtures.resolve("index.json").toFile(), index);
    ConformanceReport report = new ConformanceSuite(TestBundles.tiny(), fixtures, null, SessionConfig.cpuOnly()).run();
    assertFails(report, "end to end ddim-trailing 2 steps", "mask Dice");
  }

  @Test
  void perturbedWeights() throws Exception {
    Path b = TestBundles.copyOfTiny(tmp);
    Files.copy(Path.of("src/test/resources/broken/prior-other-weights.onnx"), b.resolve("prior.onnx"),
        StandardCopyOption.REPLACE_EXISTING);
    TestBundles.resign(b);
    ConformanceReport report = run(b);
    assertFails(report, "graph output prior batch 1", "max |SDK graph - PyTorch|");
    assertThat(report.checks()).filteredOn(c -> c.name().startsWith("end to end"))
        .allSatisfy(c -> assertThat(c.status()).isEqualTo(CheckResult.Status.FAILED));
  }

  @Test
  void wrongNormalisationInTheManifest() throws Exception {
    Path b = TestBundles.copyOfTiny(tmp);
    editManifest(b, m -> ((ArrayNode) m.at("/input/normalization_range")).removeAll().add(0.0).add(1.0));
    assertFails(run(b), "preprocessing", "training preprocessing");
  }

  @Test
  void swappedInputs() throws Exception {
    Path b = TestBundles.copyOfTiny(tmp);
    editManifest(b, m -> {
      ArrayNode inputs = (ArrayNode) m.at("/graphs/denoiser/inputs");
      var first = inputs.get(0);
      inputs.set(0, inputs.get(1));
      inputs.set(1, first);
    });
    ConformanceReport report = run(b);
    assertFails(report, "graph I/O contract", "bundle.json declares [image, x_t, t, prior], the graph has [x_t, image, t, prior]");
    assertThat(report.checks()).filteredOn(c -> c.status() == CheckResult.Status.NOT_RUN)
        .extracting(CheckResult::name)
        .containsExactly("graph output prior batch 1", "graph output denoiser batch 1", "graph output prior batch 4",
            "graph output denoiser batch 4", "batch invariance denoiser", "seed compatibility",
            "end to end ddim 20 steps", "end to end dpm++ 20 steps", "end to end unipc 20 steps",
            "end to end ddpm 1000 steps", "end to end ddim-trailing 2 steps from zeros",
            "end to end ddim-trailing 2 steps from zeros flip-averaged", "end to end ddpm 20 steps flip-averaged",
            "determinism", "CUDA vs CPU parity", "claimed validation Dice");
    assertThat(report.checks()).filteredOn(c -> c.status() == CheckResult.Status.NOT_RUN)
        .allSatisfy(c -> assertThat(c.detail()).contains("'graph I/O contract' failed"));
    // What needs no graph still runs.
    assertThat(report.checks()).filteredOn(c -> c.name().equals("preprocessing")).singleElement()
        .satisfies(c -> assertThat(c.status()).isEqualTo(CheckResult.Status.PASSED));
  }

  @Test
  void wrongOpset() throws Exception {
    Path b = TestBundles.copyOfTiny(tmp);
    editManifest(b, m -> ((ObjectNode) m.at("/graphs/denoiser")).put("opset", 16));
    assertFails(run(b), "opset denoiser", "bundle.json declares opset 16, the graph has 17");
  }

  @Test
  void truncatedGraph() throws Exception {
    Path b = TestBundles.copyOfTiny(tmp);
    byte[] graph = Files.readAllBytes(b.resolve("denoiser.onnx"));
    Files.write(b.resolve("denoiser.onnx"), java.util.Arrays.copyOf(graph, graph.length / 2));
    TestBundles.resign(b);
    assertFails(run(b), "graph I/O contract", "denoiser.onnx");
  }

  @Test
  void tamperedFileWithoutResigning() throws Exception {
    Path b = TestBundles.copyOfTiny(tmp);
    Files.writeString(b.resolve("MODEL_CARD.md"), "changed");
    ConformanceReport report = run(b);
    assertFails(report, "manifest and sha256", "Checksum error");
    assertThat(report.checks()).filteredOn(CheckResult::ran).extracting(CheckResult::name)
        .containsExactly("manifest and sha256");
    assertThat(report.checks()).filteredOn(c -> !c.ran()).extracting(CheckResult::name)
        .containsAll(ConformanceSuite.plannedChecks(null).subList(1, 4)).contains("end to end ddpm 1000 steps");
  }

  @Test
  void intensityWindowEditedInTheManifest() throws Exception {
    Path b = TestBundles.copyOfTiny(tmp);
    editManifest(b, m -> ((ArrayNode) m.at("/input/intensity_window")).removeAll().add(0.0).add(255.0));
    ConformanceReport report = run(b);
    assertFails(report, ConformanceSuite.TRAINING_AGREEMENT,
        "input.intensity_window: bundle.json says [0.0,255.0], the training code (pgdiffseg.data) says [30.0,235.0]");
    assertFails(report, "preprocessing", "training preprocessing");
  }

  @Test
  void noiseScheduleEditedInTheManifest() throws Exception {
    Path b = TestBundles.copyOfTiny(tmp);
    editManifest(b, m -> {
      ((ObjectNode) m.at("/diffusion")).put("beta_end", 0.03);
      ((ObjectNode) m.at("/model/config")).put("beta_end", 0.03);
    });
    assertFails(run(b), ConformanceSuite.TRAINING_AGREEMENT, "diffusion.beta_end: bundle.json says 0.03, model size tiny says 0.02");
  }

  @Test
  void schedulerConfigContradictingTheManifest() throws Exception {
    Path b = TestBundles.copyOfTiny(tmp);
    var schedule = new org.pgdiffseg.sdk.schedule.DiffusionSchedule(1000, "linear", 1e-4, 0.02, "v_prediction");
    TestBundles.withSchedulerConfig(b, "dpm++",
        org.pgdiffseg.sdk.schedule.DiffusersConfig.toConfig(SchedulerSpec.parse("dpm++"), schedule));
    ConformanceReport report = run(b);
    assertFails(report, "manifest and sha256", "scheduler_config.json and bundle.json disagree: scheduler_config.json "
        + "says prediction_type = v_prediction, bundle.json says diffusion.prediction_type = epsilon");
    assertThat(report.checks()).filteredOn(CheckResult::ran).extracting(CheckResult::name)
        .containsExactly("manifest and sha256");
  }

  @Test
  void weightsOtherThanTheFixtures() throws Exception {
    Path b = TestBundles.copyOfTiny(tmp);
    editManifest(b, m -> ((ObjectNode) m.at("/model")).put("random_seed", 8));
    assertFails(run(b), ConformanceSuite.PROVENANCE, "model.weights.seed: bundle.json says 8, the fixtures' reference is 7");
  }

  @Test
  void theReportsAreWritten() throws Exception {
    ConformanceReport report = run(CommittedBundlesConformanceTest.tiny());
    report.writeJson(tmp.resolve("r.json"));
    report.writeJUnitXml(tmp.resolve("r.xml"));
    var json = JSON.readTree(tmp.resolve("r.json").toFile());
    assertThat(json.get("passed").asBoolean()).isTrue();
    assertThat(json.get("ran").toString()).contains("end to end ddim 20 steps", "weights provenance");
    assertThat(json.get("not_run").toString()).contains("claimed validation Dice");
    assertThat(Files.readString(tmp.resolve("r.xml"))).contains("<testsuite").contains("end to end ddim 20 steps");
  }

  @Test
  void theReportsSayWhichChecksDidNotRun() throws Exception {
    Path b = TestBundles.copyOfTiny(tmp);
    editManifest(b, m -> ((ObjectNode) m.at("/graphs/denoiser/inputs/0")).put("name", "noisy"));
    ConformanceReport report = run(b);
    report.writeJson(tmp.resolve("r.json"));
    report.writeJUnitXml(tmp.resolve("r.xml"));
    var json = JSON.readTree(tmp.resolve("r.json").toFile());
    assertThat(json.at("/summary/not_run").asInt()).isEqualTo(16);
    assertThat(json.get("not_run").toString()).contains("end to end ddim 20 steps");
    assertThat(Files.readString(tmp.resolve("r.xml")))
        .contains("name=\"determinism\"><skipped message=\"not run: &apos;graph I/O contract&apos; failed");
  }
}
