package org.pgdiffseg.conformance;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.pgdiffseg.sdk.BundleException;
import org.pgdiffseg.sdk.PgDiffSegException;
import org.pgdiffseg.sdk.bundle.BundleManifest;
import org.pgdiffseg.sdk.bundle.ModelBundle;
import org.pgdiffseg.sdk.imaging.BinaryMask;
import org.pgdiffseg.sdk.imaging.DecodedImage;
import org.pgdiffseg.sdk.imaging.ImageDecoder;
import org.pgdiffseg.sdk.imaging.PreprocessSpec;
import org.pgdiffseg.sdk.imaging.Preprocessor;
import org.pgdiffseg.sdk.metrics.MaskOverlap;
import org.pgdiffseg.sdk.noise.TorchCompatibleNoise;
import org.pgdiffseg.sdk.pipeline.SamplingOptions;
import org.pgdiffseg.sdk.pipeline.SegmentRequest;
import org.pgdiffseg.sdk.pipeline.SegmentationResult;
import org.pgdiffseg.sdk.pipeline.Segmenter;
import org.pgdiffseg.sdk.runtime.ExecutionDevice;
import org.pgdiffseg.sdk.runtime.SessionConfig;
import org.pgdiffseg.sdk.schedule.SchedulerSpec;

/**
 * Checks that a bundle, run by this SDK, reproduces the PyTorch reference its fixtures record
 * (docs/conformance.md): manifest and checksums, graph contract and opset, both graphs' outputs, batch
 * invariance, determinism, seed compatibility, every end-to-end sampler run, CUDA parity where there is
 * a GPU, and the claimed validation Dice when given the data. Each check reports passed / failed /
 * skipped with its measurement and tolerance; one failing check does not stop the others.
 */
public final class ConformanceSuite {
  static final double GRAPH_TOLERANCE = 1e-4;
  static final double PREPROCESS_TOLERANCE = 1e-5;
  static final double BATCH_TOLERANCE = 1e-5;
  static final double NOISE_TOLERANCE = 1e-6;
  static final double PROBABILITY_TOLERANCE = 1e-3;
  static final double MASK_DICE = 0.99;
  static final double VAL_DICE_TOLERANCE = 0.01;
  static final int MIN_OPSET = 17;

  private final Path bundlePath;
  private final Path fixtures;
  private final Path data;
  private final SessionConfig sessions;

  /**
   * @param fixtures fixture folder, or null for the bundle's own {@code fixtures/}
   * @param data BUSI-layout folder (split.csv, val/images, val/masks) for the validation-Dice check, or null
   */
  public ConformanceSuite(Path bundle, Path fixtures, Path data, SessionConfig sessions) {
    this.bundlePath = bundle;
    this.fixtures = fixtures;
    this.data = data;
    this.sessions = sessions;
  }

  public ConformanceReport run() {
    return run(CheckListener.NONE);
  }

  /** Runs the checks, telling {@code listener} of each as it completes. */
  public ConformanceReport run(CheckListener listener) {
    List<CheckResult> results = CheckListener.notifying(listener);
    ModelBundle bundle;
    try {
      bundle = ModelBundle.open(bundlePath);
      results.add(CheckResult.passed("manifest and sha256", "bundle.json valid, " + bundle.manifest().files().size()
          + " files and both graphs match their sha256", 0, 0));
    } catch (BundleException e) {
      results.add(CheckResult.failed("manifest and sha256", e.getMessage(), Double.NaN, Double.NaN));
      return new ConformanceReport(bundlePath.toString(), results);
    }
    results.addAll(opsets(bundle));
    Segmenter segmenter;
    try {
      segmenter = Segmenter.builder().bundle(bundle).gating(false).sessionConfig(sessions).build();
      results.add(CheckResult.passed("graph I/O contract", "names, shapes and types of both graphs match bundle.json;"
          + " both graphs ran on a blank input (" + segmenter.device() + ")", 0, 0));
    } catch (BundleException | RuntimeException e) {
      results.add(CheckResult.failed("graph I/O contract", e.getMessage(), Double.NaN, Double.NaN));
      return new ConformanceReport(bundle.toString(), results);
    }
    try (segmenter) {
      Path folder = fixtures != null ? fixtures : bundle.root().resolve("fixtures");
      JsonNode index = readIndex(folder, results);
      if (index != null) {
        results.add(preprocessing(bundle, index, folder));
        results.addAll(graphOutputs(bundle, index, folder));
        results.addAll(endToEnd(segmenter, index, folder));
      }
      results.add(determinism(segmenter));
      results.add(cudaParity(bundle, segmenter));
      results.add(validationDice(bundle, segmenter));
    }
    return new ConformanceReport(bundle.toString(), results);
  }

  private List<CheckResult> opsets(ModelBundle bundle) {
    List<CheckResult> out = new ArrayList<>();
    for (String graph : List.of(BundleManifest.PRIOR, BundleManifest.DENOISER)) {
      String name = "opset " + graph;
      try {
        long actual = OnnxOpset.of(bundle.graphPath(graph));
        int declared = bundle.manifest().graphs().get(graph).opset();
        if (actual != declared) {
          out.add(CheckResult.failed(name, "bundle.json declares opset " + declared + ", the graph has " + actual, actual, declared));
        } else if (actual < MIN_OPSET) {
          out.add(CheckResult.failed(name, "opset " + actual + " is below the minimum " + MIN_OPSET, actual, MIN_OPSET));
        } else {
          out.add(CheckResult.passed(name, "opset " + actual + " as declared", actual, declared));
        }
      } catch (IOException e) {
        out.add(CheckResult.failed(name, e.getMessage(), Double.NaN, Double.NaN));
      }
    }
    return out;
  }

  /** The SDK's preprocessing, configured by the manifest, against the training code's on an image file. */
  private static CheckResult preprocessing(ModelBundle bundle, JsonNode index, Path folder) {
    String name = "preprocessing";
    JsonNode c = index.path("preprocessing");
    if (c.isMissingNode()) {
      return CheckResult.skipped(name, "the fixtures have no preprocessing case");
    }
    try {
      var in = bundle.manifest().input();
      Preprocessor preprocessor = new Preprocessor(new PreprocessSpec(in.height(), in.width(), in.intensityWindow().get(0),
          in.intensityWindow().get(1), in.normalizationRange().get(0), in.normalizationRange().get(1), in.resizeInterpolation()));
      float[] actual = preprocessor.preprocess(new ImageDecoder().decode(folder.resolve(c.path("image").asText())));
      float[] expected = NpyArray.read(folder.resolve(c.path("expected").asText())).floats();
      return CheckResult.atMost(name, "max |SDK preprocessing (bundle.json input spec) - training preprocessing|",
          maxAbsDiff(expected, actual), PREPROCESS_TOLERANCE);
    } catch (PgDiffSegException | IOException | RuntimeException e) {
      return CheckResult.failed(name, String.valueOf(e.getMessage()), Double.NaN, PREPROCESS_TOLERANCE);
    }
  }

  private static JsonNode readIndex(Path folder, List<CheckResult> results) {
    Path file = folder.resolve("index.json");
    if (!Files.isRegularFile(file)) {
      results.add(CheckResult.skipped("fixtures", "no fixtures at " + file + "; generate them with "
          + "conformance/python/gen_bundle_fixtures.py"));
      return null;
    }
    try {
      return new ObjectMapper().readTree(file.toFile());
    } catch (IOException e) {
      results.add(CheckResult.failed("fixtures", file + ": " + e.getMessage(), Double.NaN, Double.NaN));
      return null;
    }
  }

  /** Each graph's outputs against PyTorch's for the fixture inputs, batch 1 and 4, plus batch invariance. */
  private List<CheckResult> graphOutputs(ModelBundle bundle, JsonNode index, Path folder) {
    List<CheckResult> out = new ArrayList<>();
    OrtEnvironment env = org.pgdiffseg.sdk.runtime.OrtEnvironments.get();
    Map<String, OrtSession> open = new HashMap<>();
    try {
      for (JsonNode c : index.path("graph_io")) {
        String graph = c.path("graph").asText();
        int batch = c.path("batch").asInt();
        String name = "graph output " + graph + " batch " + batch;
        try {
          OrtSession session = open.computeIfAbsent(graph, g -> openPlain(env, bundle.graphPath(g)));
          Map<String, OnnxTensor> inputs = tensors(env, c.path("inputs"), folder);
          try (OrtSession.Result result = session.run(inputs)) {
            double worst = 0;
            for (Iterator<Map.Entry<String, JsonNode>> it = c.path("outputs").fields(); it.hasNext(); ) {
              var e = it.next();
              float[] expected = NpyArray.read(folder.resolve(e.getValue().asText())).floats();
              float[] actual = flat((OnnxTensor) result.get(e.getKey()).orElseThrow(
                  () -> new IllegalStateException("graph has no output '" + e.getKey() + "'")));
              worst = Math.max(worst, maxAbsDiff(expected, actual));
            }
            out.add(CheckResult.atMost(name, "max |SDK graph - PyTorch|", worst, GRAPH_TOLERANCE));
          } finally {
            inputs.values().forEach(OnnxTensor::close);
          }
          if (batch > 1 && graph.equals(BundleManifest.DENOISER)) {
            out.add(batchInvariance(env, session, c.path("inputs"), folder, batch));
          }
        } catch (Exception e) {
          out.add(CheckResult.failed(name, String.valueOf(e.getMessage()), Double.NaN, GRAPH_TOLERANCE));
        }
      }
    } finally {
      open.values().forEach(s -> {
        try {
          s.close();
        } catch (OrtException ignored) {
          // closing a session that ran is not expected to fail; nothing to report
        }
      });
    }
    return out;
  }

  private static OrtSession openPlain(OrtEnvironment env, Path model) {
    try {
      return env.createSession(model.toString(), new OrtSession.SessionOptions());
    } catch (OrtException e) {
      throw new IllegalStateException(model + ": " + e.getMessage(), e);
    }
  }

  /** The denoiser at batch N equals N runs at batch 1, row by row. */
  private CheckResult batchInvariance(OrtEnvironment env, OrtSession session, JsonNode inputs, Path folder, int batch)
      throws IOException, OrtException {
    Map<String, NpyArray> arrays = new HashMap<>();
    for (Iterator<Map.Entry<String, JsonNode>> it = inputs.fields(); it.hasNext(); ) {
      var e = it.next();
      arrays.put(e.getKey(), NpyArray.read(folder.resolve(e.getValue().asText())));
    }
    float[] whole = run(env, session, arrays, -1, batch);
    int rowLength = whole.length / batch;
    double worst = 0;
    for (int row = 0; row < batch; row++) {
      float[] single = run(env, session, arrays, row, batch);
      for (int i = 0; i < rowLength; i++) {
        worst = Math.max(worst, Math.abs(single[i] - whole[row * rowLength + i]));
      }
    }
    return CheckResult.atMost("batch invariance denoiser", "max |batch " + batch + " - batch 1| per row", worst,
        BATCH_TOLERANCE);
  }

  private static float[] run(OrtEnvironment env, OrtSession session, Map<String, NpyArray> arrays, int row, int batch)
      throws OrtException {
    Map<String, OnnxTensor> feeds = new HashMap<>();
    try {
      for (var e : arrays.entrySet()) {
        float[] all = e.getValue().floats();
        long[] shape = e.getValue().shape().clone();
        float[] values = all;
        if (row >= 0) {
          int len = all.length / batch;
          values = java.util.Arrays.copyOfRange(all, row * len, (row + 1) * len);
          shape[0] = 1;
        }
        feeds.put(e.getKey(), OnnxTensor.createTensor(env, FloatBuffer.wrap(values), shape));
      }
      try (OrtSession.Result result = session.run(feeds)) {
        return flat((OnnxTensor) result.get(0));
      }
    } finally {
      feeds.values().forEach(OnnxTensor::close);
    }
  }

  private static Map<String, OnnxTensor> tensors(OrtEnvironment env, JsonNode files, Path folder)
      throws IOException, OrtException {
    Map<String, OnnxTensor> out = new HashMap<>();
    for (Iterator<Map.Entry<String, JsonNode>> it = files.fields(); it.hasNext(); ) {
      var e = it.next();
      NpyArray a = NpyArray.read(folder.resolve(e.getValue().asText()));
      out.put(e.getKey(), OnnxTensor.createTensor(env, FloatBuffer.wrap(a.floats()), a.shape()));
    }
    return out;
  }

  private static float[] flat(OnnxTensor tensor) {
    FloatBuffer buffer = tensor.getFloatBuffer();
    float[] values = new float[buffer.remaining()];
    buffer.get(values);
    return values;
  }

  /** The SDK pipeline against the PyTorch reference pipeline, per scheduler, from the same seed. */
  private List<CheckResult> endToEnd(Segmenter segmenter, JsonNode index, Path folder) {
    List<CheckResult> out = new ArrayList<>();
    boolean seedChecked = false;
    for (JsonNode c : index.path("end_to_end")) {
      String scheduler = c.path("scheduler").asText();
      int steps = c.path("steps").asInt();
      int ensemble = c.path("ensemble").asInt();
      long seed = c.path("seed").asLong();
      String name = "end to end " + scheduler + " " + steps + " steps";
      try {
        float[] image = NpyArray.read(folder.resolve(c.path("image").asText())).floats();
        if (!seedChecked) {
          float[] expected = NpyArray.read(folder.resolve(c.path("trajectory").get(0).path("file").asText())).floats();
          float[] noise = new float[expected.length];
          new TorchCompatibleNoise(seed).fill(noise);
          out.add(CheckResult.atMost("seed compatibility", "max |TorchCompatibleNoise(" + seed + ") - torch.randn|",
              maxAbsDiff(expected, noise), NOISE_TOLERANCE));
          seedChecked = true;
        }
        var in = segmenter.bundle().manifest().input();
        SamplingOptions options = segmenter.options().withScheduler(SchedulerSpec.parse(scheduler)).withSteps(steps)
            .withEnsemble(ensemble).withSeed(seed);
        SegmentationResult r = segmenter.segmentPreprocessed("fixture", image, in.height(), in.width(),
            SegmentRequest.defaults().withOptions(options));
        float[] expectedProbability = NpyArray.read(folder.resolve(c.path("probability").asText())).floats();
        long[] expectedMask = NpyArray.read(folder.resolve(c.path("mask").asText())).longs();
        double diff = maxAbsDiff(expectedProbability, r.probability());
        double dice = dice(expectedMask, r.mask());
        boolean ok = diff <= PROBABILITY_TOLERANCE && dice >= MASK_DICE;
        String detail = String.format("max |probability - PyTorch| = %.3g (tolerance %s), mask Dice = %.4f (at least %s)",
            diff, PROBABILITY_TOLERANCE, dice, MASK_DICE);
        out.add(ok ? CheckResult.passed(name, detail, diff, PROBABILITY_TOLERANCE)
            : CheckResult.failed(name, detail, diff, PROBABILITY_TOLERANCE));
      } catch (IllegalArgumentException e) {
        out.add(new CheckResult(name, CheckResult.Status.UNSUPPORTED, e.getMessage(), Double.NaN, Double.NaN));
      } catch (Exception e) {
        out.add(CheckResult.failed(name, String.valueOf(e.getMessage()), Double.NaN, PROBABILITY_TOLERANCE));
      }
    }
    return out;
  }

  private static CheckResult determinism(Segmenter segmenter) {
    String name = "determinism";
    try {
      var in = segmenter.bundle().manifest().input();
      float[] image = new float[in.height() * in.width()];
      for (int i = 0; i < image.length; i++) {
        image[i] = (float) Math.sin(i * 0.37);
      }
      SegmentRequest request = SegmentRequest.defaults().withOptions(segmenter.options().withSteps(5).withSeed(7));
      float[] a = segmenter.segmentPreprocessed("a", image, in.height(), in.width(), request).probability();
      float[] b = segmenter.segmentPreprocessed("b", image, in.height(), in.width(), request).probability();
      return CheckResult.atMost(name, "max |run 1 - run 2| for one seed", maxAbsDiff(a, b), 0.0);
    } catch (PgDiffSegException | RuntimeException e) {
      return CheckResult.failed(name, String.valueOf(e.getMessage()), Double.NaN, 0);
    }
  }

  private CheckResult cudaParity(ModelBundle bundle, Segmenter segmenter) {
    String name = "CUDA vs CPU parity";
    if (segmenter.device() != ExecutionDevice.CUDA) {
      return CheckResult.skipped(name, "graphs run on " + segmenter.device() + " (no usable GPU)");
    }
    try (Segmenter cpu = segmenter.toBuilder().sessionConfig(SessionConfig.cpuOnly()).build()) {
      var in = bundle.manifest().input();
      float[] image = new float[in.height() * in.width()];
      SegmentRequest request = SegmentRequest.defaults().withOptions(segmenter.options().withSteps(10));
      float[] gpu = segmenter.segmentPreprocessed("gpu", image, in.height(), in.width(), request).probability();
      float[] host = cpu.segmentPreprocessed("cpu", image, in.height(), in.width(), request).probability();
      return CheckResult.atMost(name, "max |CUDA - CPU| probability", maxAbsDiff(gpu, host), PROBABILITY_TOLERANCE);
    } catch (PgDiffSegException | RuntimeException e) {
      return CheckResult.failed(name, String.valueOf(e.getMessage()), Double.NaN, PROBABILITY_TOLERANCE);
    }
  }

  /** Mean Dice over the validation images with the settings the manifest's first metrics row names. */
  private CheckResult validationDice(ModelBundle bundle, Segmenter segmenter) {
    String name = "claimed validation Dice";
    JsonNode claimed = bundle.manifest().metrics() == null ? null : bundle.manifest().metrics().path("results").path(0);
    if (data == null) {
      return CheckResult.skipped(name, "no --data folder given");
    }
    if (claimed == null || claimed.isMissingNode()) {
      return CheckResult.skipped(name, "bundle.json records no validation metrics");
    }
    try (Segmenter gated = segmenter.toBuilder().gating(true).build()) {
      SamplingOptions options = segmenter.options()
          .withScheduler(SchedulerSpec.parse(claimed.path("scheduler").asText()))
          .withSteps(claimed.path("steps").asInt()).withEnsemble(claimed.path("ensemble").asInt())
          .withSeed(claimed.path("seed").asLong());
      double mean = ValidationSet.meanDice(gated, options, data);
      double expected = claimed.path("dice").asDouble();
      return CheckResult.atMost(name, String.format("|SDK %.4f - claimed %.4f|", mean, expected),
          Math.abs(mean - expected), VAL_DICE_TOLERANCE);
    } catch (PgDiffSegException | IOException | RuntimeException e) {
      return CheckResult.failed(name, String.valueOf(e.getMessage()), Double.NaN, VAL_DICE_TOLERANCE);
    }
  }

  static double maxAbsDiff(float[] expected, float[] actual) {
    if (expected.length != actual.length) {
      return Double.POSITIVE_INFINITY;
    }
    double worst = 0;
    for (int i = 0; i < expected.length; i++) {
      double d = Math.abs(expected[i] - actual[i]);
      if (Double.isNaN(d)) {
        return Double.POSITIVE_INFINITY;
      }
      worst = Math.max(worst, d);
    }
    return worst;
  }

  private static double dice(long[] expected, BinaryMask actual) {
    byte[] pixels = actual.pixels();
    if (pixels.length != expected.length) {
      return 0;
    }
    long both = 0;
    long total = 0;
    for (int i = 0; i < expected.length; i++) {
      boolean e = expected[i] != 0;
      boolean a = pixels[i] != 0;
      both += e && a ? 1 : 0;
      total += (e ? 1 : 0) + (a ? 1 : 0);
    }
    return total == 0 ? 1.0 : 2.0 * both / total;
  }

  /** Decodes and reads a BUSI-layout validation split. */
  static final class ValidationSet {
    private ValidationSet() {}

    static double meanDice(Segmenter segmenter, SamplingOptions options, Path root) throws IOException, PgDiffSegException {
      List<String> lines = Files.readAllLines(root.resolve("split.csv"));
      List<String> header = List.of(lines.get(0).split(","));
      int id = header.indexOf("id");
      int split = header.indexOf("split");
      ImageDecoder decoder = new ImageDecoder();
      double sum = 0;
      int n = 0;
      for (String line : lines.subList(1, lines.size())) {
        String[] cells = line.split(",");
        if (!cells[split].equals("val")) {
          continue;
        }
        SegmentationResult r = segmenter.segment(root.resolve("val/images/" + cells[id] + ".png"),
            SegmentRequest.defaults().withOptions(options));
        DecodedImage truth = decoder.decode(root.resolve("val/masks/" + cells[id] + ".png"));
        sum += MaskOverlap.of(r.mask(), truth).dice();
        n++;
      }
      return sum / n;
    }
  }
}
