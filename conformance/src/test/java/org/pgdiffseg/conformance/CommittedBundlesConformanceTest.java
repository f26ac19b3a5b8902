package org.pgdiffseg.conformance;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.pgdiffseg.sdk.runtime.SessionConfig;

/** The committed bundles pass the whole suite with their committed fixtures. */
class CommittedBundlesConformanceTest {
  static Path model(String id) {
    for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
      Path candidate = dir.resolve("zoo/models/" + id);
      if (Files.isDirectory(candidate)) {
        return candidate;
      }
    }
    throw new IllegalStateException("zoo/models/" + id + " not found");
  }

  static Path tiny() {
    return model("pgdiffseg-tiny-test");
  }

  @Test
  void theDefaultModelPassesEveryCheck() {
    ConformanceReport report = new ConformanceSuite(model("pgdiffseg-busi-128"), null, null, SessionConfig.cpuOnly()).run();
    report.print(new PrintWriter(System.err, true));
    assertThat(report.checks()).filteredOn(c -> c.status() == CheckResult.Status.FAILED).isEmpty();
    assertThat(report.checks()).extracting(CheckResult::name).contains("end to end ddim-trailing 2 steps from zeros",
        "end to end ddim 20 steps", "end to end dpm++ 20 steps", "end to end unipc 20 steps", "preprocessing",
        "end to end ddim-trailing 2 steps from zeros flip-averaged", "end to end dpm++ 20 steps flip-averaged");
    assertThat(report.checks()).filteredOn(c -> c.name().equals(ConformanceSuite.TRAINING_AGREEMENT)
        || c.name().equals(ConformanceSuite.PROVENANCE)).hasSize(2)
        .allSatisfy(c -> assertThat(c.status()).isEqualTo(CheckResult.Status.PASSED));
  }

  /** Its references come from its own int8 graphs run by onnxruntime in Python (fixtures/index.json says so). */
  @Test
  void theInt8ModelPassesEveryCheck() {
    ConformanceReport report = new ConformanceSuite(model("pgdiffseg-busi-128-int8"), null, null, SessionConfig.cpuOnly()).run();
    report.print(new PrintWriter(System.err, true));
    assertThat(report.checks()).filteredOn(c -> c.status() == CheckResult.Status.FAILED).isEmpty();
    assertThat(report.checks()).extracting(CheckResult::name).contains("manifest and sha256", "graph I/O contract",
        "graph output denoiser batch 4", "batch invariance denoiser", "end to end ddim-trailing 2 steps from zeros",
        "end to end dpm++ 20 steps", "preprocessing", "end to end ddim-trailing 2 steps from zeros flip-averaged");
    // Quantized from the default model's weights, as the fixtures made from that bundle's checkpoint say.
    assertThat(report.checks()).filteredOn(c -> c.name().equals(ConformanceSuite.PROVENANCE)).singleElement()
        .satisfies(c -> assertThat(c.status()).isEqualTo(CheckResult.Status.PASSED));
  }

  @Test
  void theTinyBundlePassesEveryCheck() {
    ConformanceReport report = new ConformanceSuite(tiny(), null, null, SessionConfig.cpuOnly()).run();
    report.print(new PrintWriter(System.err, true));
    assertThat(report.checks()).filteredOn(c -> c.status() == CheckResult.Status.FAILED).isEmpty();
    assertThat(report.checks()).extracting(CheckResult::name)
        .contains("manifest and sha256", "graph I/O contract", "opset prior", "graph output denoiser batch 4",
            "batch invariance denoiser", "seed compatibility", "end to end ddim 20 steps",
            "end to end dpm++ 20 steps", "end to end unipc 20 steps", "end to end ddpm 1000 steps", "determinism",
            "end to end ddim-trailing 2 steps from zeros flip-averaged", "end to end ddpm 20 steps flip-averaged");
    assertThat(report.checks()).filteredOn(c -> c.name().equals(ConformanceSuite.TRAINING_AGREEMENT)
        || c.name().equals(ConformanceSuite.PROVENANCE)).hasSize(2)
        .allSatisfy(c -> assertThat(c.status()).isEqualTo(CheckResult.Status.PASSED));
    assertThat(report.passed()).isTrue();
  }
}
