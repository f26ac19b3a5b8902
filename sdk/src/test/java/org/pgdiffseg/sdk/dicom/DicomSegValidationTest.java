package org.pgdiffseg.sdk.dicom;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.pgdiffseg.sdk.imaging.BinaryMask;
import org.pgdiffseg.sdk.imaging.DicomAttributes;
import org.pgdiffseg.sdk.testing.PythonEnvironment;

/**
 * SEGs written by the SDK for sources written by pydicom (conformance/python/validate_seg.py: single-frame
 * ultrasound with regions, multi-frame ultrasound in implicit VR, CT with spacing and geometry, one without
 * spacing whose masks are empty, as for a gated image), then read back by highdicom and pydicom and checked by
 * dciodvfy where installed. The files stay in target/dicom-seg, where conformance/python/tests checks them again.
 */
class DicomSegValidationTest {
  private static final DicomSegWriter WRITER =
      new DicomSegWriter(new SegmentAlgorithm("pgdiffseg-busi-128", "1.0.0"));

  @Test
  void segsOfEveryKindOfSourceValidateAndHoldTheirMasksPixelForPixel() throws Exception {
    Path root = repositoryRoot();
    Path python = PythonEnvironment.python(root);
    assumeTrue(python != null, "the project's Python environment (samples/python-env) is not built here;"
        + " samples/run-tests builds it and runs this check");
    Path out = root.resolve("sdk/target/dicom-seg");
    deleteTree(out);
    Path sources = out.resolve("sources");
    Files.createDirectories(sources);
    String script = root.resolve("conformance/python/validate_seg.py").toString();
    assertThat(run(python.toString(), script, "sources", sources.toString())).isEmpty();

    List<Map<String, Object>> manifest = new ArrayList<>();
    List<Path> files;
    try (Stream<Path> s = Files.list(sources)) {
      files = s.filter(p -> p.toString().endsWith(".dcm")).sorted().toList();
    }
    assertThat(files).hasSize(4);
    for (Path source : files) {
      byte[] bytes = Files.readAllBytes(source);
      DicomAttributes attributes = DicomAttributes.read(bytes, source.toString());
      String stem = source.getFileName().toString().replace(".dcm", "");
      boolean gated = stem.contains("no_spacing");   // all frames empty, as a gated image's are
      List<BinaryMask> masks = new ArrayList<>();
      List<String> pngs = new ArrayList<>();
      for (int f = 0; f < attributes.frames(); f++) {
        BinaryMask mask = gated ? BinaryMask.empty(attributes.columns(), attributes.rows())
            : ellipse(attributes.columns(), attributes.rows(), f);
        masks.add(mask);
        Path png = out.resolve(stem + String.format("_f%03d_mask.png", f + 1));
        mask.writePng(png);
        pngs.add(png.toString());
      }
      Path seg = out.resolve(stem + "_seg.dcm");
      Files.write(seg, WRITER.write(bytes, source.toString(), masks));
      Map<String, Object> entry = new LinkedHashMap<>();
      entry.put("source", source.toString());
      entry.put("seg", seg.toString());
      entry.put("masks", pngs);
      manifest.add(entry);
    }
    Path manifestFile = out.resolve("manifest.json");
    new ObjectMapper().writerWithDefaultPrettyPrinter().writeValue(manifestFile.toFile(), manifest);
    assertThat(run(python.toString(), script, "check", manifestFile.toString())).isEmpty();
  }

  /** An off-centre ellipse that moves with the frame, so that frames differ and rows do not align to bytes. */
  static BinaryMask ellipse(int width, int height, int frame) {
    byte[] pixels = new byte[width * height];
    double cx = width * (0.35 + 0.1 * frame);
    double cy = height * 0.45;
    double rx = width * 0.22;
    double ry = height * 0.3;
    for (int y = 0; y < height; y++) {
      for (int x = 0; x < width; x++) {
        double dx = (x - cx) / rx;
        double dy = (y - cy) / ry;
        pixels[y * width + x] = dx * dx + dy * dy <= 1 ? (byte) 255 : 0;
      }
    }
    return new BinaryMask(width, height, pixels);
  }

  /** Runs a command; empty when it exits 0, else its exit code and output, for the failure message. */
  static String run(String... command) throws IOException, InterruptedException {
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!p.waitFor(5, TimeUnit.MINUTES)) {
      p.destroyForcibly();
      return "timed out: " + String.join(" ", command) + "\n" + output;
    }
    System.out.print(output);   // the validators' verdicts, dciodvfy warnings included, in the test report
    return p.exitValue() == 0 ? "" : "exit " + p.exitValue() + ": " + String.join(" ", command) + "\n" + output;
  }

  static Path repositoryRoot() {
    Path dir = Path.of("").toAbsolutePath();
    while (dir != null && !Files.exists(dir.resolve("conformance/python/validate_seg.py"))) {
      dir = dir.getParent();
    }
    assertThat(dir).as("repository root above %s", Path.of("").toAbsolutePath()).isNotNull();
    return dir;
  }

  private static void deleteTree(Path dir) throws IOException {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> s = Files.walk(dir)) {
      for (Path p : s.sorted(java.util.Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    }
  }
}
