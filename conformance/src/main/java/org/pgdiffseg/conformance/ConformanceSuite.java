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
import java.util.LinkedHashMap;
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
import org.pgdiffseg.sdk.pipeline.InitialSample;
import org.pgdiffseg.sdk.pipeline.ModelSettings;
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
 * a GPU, and the claimed validation Dice when given the data; bundle.json against the training reference and the
 * provenance of the weights the fixtures record. Each check reports passed / failed / skipped with its measurement
 * and tolerance; one failing check does not stop the others, and where one stops what depends on it (the manifest
 * and checksums, the graph contract), each check not run is listed with why.
 */
public final class ConformanceSuite {
  static final double GRAPH_TOLERANCE = 1e-4;
  static final double PREPROCESS_TOLERANCE = 1e-5;
  static final double BATCH_TOLERANCE = 1e-5;
  static final double NOISE_TOLERANCE = 1e-6;
  static final double PROBABILITY_TOLERANCE = 1e-3;
  static final double MASK_DICE = 0.99;
  /**
   * Confidence signals are soft Dice values of probability maps that agree within {@link #PROBABILITY_TOLERANCE};
   * the uncertainty map is a difference of two such maps: twice that (docs/conformance.md).
   */
  static final double CONFIDENCE_TOLERANCE = 2e-3;
  static final double VAL_DICE_TOLERANCE = 0.01;
  static final double PER_IMAGE_DICE_TOLERANCE = 0.02;
  static final int MIN_OPSET = 17;
  static final String TRAINING_AGREEMENT = "bundle.json vs training";
  static final String PROVENANCE = "weights provenance";

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
      Path folder = fixtures != null ? fixtures : bundlePath.resolve("fixtures");
      JsonNode index = Files.isRegularFile(folder.resolve("index.json")) ? readIndex(folder, new ArrayList<>()) : null;
      return finish(bundlePath.toString(), results, index, "'manifest and sha256' failed: nothing in the bundle is "
          + "trusted until bundle.json parses and every file matches its sha256");
    }
    results.addAll(opsets(bundle));
    Segmenter built = null;
    try {
      built = Segmenter.builder().bundle(bundle).gating(false).sessionConfig(sessions).build();
      results.add(CheckResult.passed("graph I/O contract", "names, shapes and types of both graphs match bundle.json;"
          + " both graphs ran on a blank input (" + built.device() + ")", 0, 0));
    } catch (BundleException | RuntimeException e) {
      results.add(CheckResult.failed("graph I/O contract", e.getMessage(), Double.NaN, Double.NaN));
    }
    Segmenter segmenter = built;
    Path folder = fixtures != null ? fixtures : bundle.root().resolve("fixtures");
    JsonNode index = readIndex(folder, results);
    if (index != null) {
      results.add(trainingAgreement(bundle, index));
      results.add(provenance(bundle, index));
      results.add(preprocessing(bundle, index, folder));
    }
    if (segmenter == null) {
      return finish(bundle.toString(), results, index, "'graph I/O contract' failed: the graphs do not take or give "
          + "what bundle.json declares, so they are not run");
    }
    try (segmenter) {
      if (index != null) {
        results.addAll(graphOutputs(bundle, index, folder));
        results.addAll(endToEnd(segmenter, index, folder));
      }
      results.add(determinism(segmenter));
      results.add(cudaParity(bundle, segmenter));
      results.add(validationDice(bundle, segmenter));
    }
    return new ConformanceReport(bundle.toString(), results);
  }

  /** The report of a run stopped early: every check it would have made and did not, as not run, with why. */
  private static ConformanceReport finish(String bundle, List<CheckResult> results, JsonNode index, String why) {
    List<String> done = results.stream().map(CheckResult::name).toList();
    for (String name : plannedChecks(index)) {
      if (!done.contains(name)) {
        results.add(CheckResult.notRun(name, why));
      }
    }
    return new ConformanceReport(bundle, results);
  }

  /** The names of every check a full run makes, in order; those of the fixture cases when there is an index. */
  static List<String> plannedChecks(JsonNode index) {
    List<String> names = new ArrayList<>(List.of("manifest and sha256", "opset " + BundleManifest.PRIOR,
        "opset " + BundleManifest.DENOISER, "graph I/O contract"));
    if (index != null) {
      names.addAll(List.of(TRAINING_AGREEMENT, PROVENANCE, "preprocessing"));
      for (JsonNode c : index.path("graph_io")) {
        String graph = c.path("graph").asText();
        names.add("graph output " + graph + " batch " + c.path("batch").asInt());
        if (c.path("batch").asInt() > 1 && graph.equals(BundleManifest.DENOISER)) {
          names.add("batch invariance denoiser");
        }
      }
      boolean first = true;
      for (JsonNode c : index.path("end_to_end")) {
        if (first && initialSample(c) == InitialSample.NOISE) {
          names.add("seed compatibility");
          first = false;
        }
        names.add(endToEndName(c));
      }
    }
    names.addAll(List.of("determinism", "CUDA vs CPU parity", "claimed validation Dice"));
    return names;
  }

  /**
   * bundle.json against the sources of truth the fixtures recorded (never bundle.json itself): the training code's
   * preprocessing, and the model config, noise schedule and prediction type the weights were trained with.
   */
  static CheckResult trainingAgreement(ModelBundle bundle, JsonNode index) {
    JsonNode reference = index.path("reference");
    if (reference.isMissingNode()) {
      return CheckResult.skipped(TRAINING_AGREEMENT, "the fixtures record no training reference (made before it was "
          + "recorded); regenerate them with conformance/python/gen_bundle_fixtures.py");
    }
    try {
      JsonNode manifest = new ObjectMapper().readTree(bundle.root().resolve(ModelBundle.MANIFEST).toFile());
      List<String> problems = new ArrayList<>();
      JsonNode sources = reference.path("sources");
      disagreements(problems, "input", manifest.path("input"), reference.path("input"), sources.path("input").asText(), false);
      disagreements(problems, "diffusion", manifest.path("diffusion"), reference.path("diffusion"),
          sources.path("diffusion").asText(), false);
      // A key older configs lack means its default, which the fixture generator has already compared.
      disagreements(problems, "model.config", manifest.path("model").path("config"), reference.path("model_config"),
          sources.path("model_config").asText(), true);
      return problems.isEmpty()
          ? CheckResult.passed(TRAINING_AGREEMENT, "input agrees with " + sources.path("input").asText()
              + "; diffusion and model.config with " + sources.path("diffusion").asText(), 0, 0)
          : CheckResult.failed(TRAINING_AGREEMENT, String.join("; ", problems), problems.size(), 0);
    } catch (IOException e) {
      return CheckResult.failed(TRAINING_AGREEMENT, String.valueOf(e.getMessage()), Double.NaN, 0);
    }
  }

  private static void disagreements(List<String> problems, String at, JsonNode have, JsonNode want, String source,
      boolean missingMeansDefault) {
    for (Iterator<Map.Entry<String, JsonNode>> it = want.fields(); it.hasNext(); ) {
      var e = it.next();
      JsonNode value = have.get(e.getKey());
      if (value == null && missingMeansDefault) {
        continue;
      }
      if (value == null || !sameValue(value, e.getValue())) {
        problems.add(at + "." + e.getKey() + ": bundle.json says " + (value == null ? "nothing" : value) + ", "
            + source + " says " + e.getValue());
      }
    }
  }

  private static boolean sameValue(JsonNode a, JsonNode b) {
    if (a.isNumber() && b.isNumber()) {
      return a.asDouble() == b.asDouble();
    }
    if (a.isArray() && b.isArray()) {
      if (a.size() != b.size()) {
        return false;
      }
      for (int i = 0; i < a.size(); i++) {
        if (!sameValue(a.get(i), b.get(i))) {
          return false;
        }
      }
      return true;
    }
    if (a.isObject() && b.isObject()) {   // every field the reference records, as bundle.json says it
      for (Iterator<Map.Entry<String, JsonNode>> it = b.fields(); it.hasNext(); ) {
        var e = it.next();
        if (!a.has(e.getKey()) || !sameValue(a.get(e.getKey()), e.getValue())) {
          return false;
        }
      }
      return true;
    }
    return a.equals(b);
  }

  /**
   * Which weights the graphs were exported from ({@code model.weights} of bundle.json, or the seed of random test
   * weights) against those the fixtures' reference was computed from: a re-export that the fixtures were not
   * regenerated for, or an export of other weights (raw instead of EMA), shows here by name.
   */
  static CheckResult provenance(ModelBundle bundle, JsonNode index) {
    JsonNode reference = index.path("provenance");
    if (reference.isMissingNode()) {
      return CheckResult.skipped(PROVENANCE, "the fixtures record no provenance of their reference weights (made "
          + "before it was recorded); regenerate them with conformance/python/gen_bundle_fixtures.py");
    }
    JsonNode model = bundle.manifest().model();
    JsonNode exported = model == null ? null : model.get("weights");
    if (exported == null && reference.path("source").asText().equals("random") && model != null
        && model.has("random_seed")) {
      exported = new ObjectMapper().createObjectNode().put("source", "random").put("size", model.path("size").asText())
          .put("seed", model.path("random_seed").asLong());
    }
    if (exported == null) {
      return CheckResult.skipped(PROVENANCE, "bundle.json records no model.weights (exported before provenance was "
          + "recorded); the fixtures' reference: " + reference);
    }
    List<String> problems = new ArrayList<>();
    for (Iterator<Map.Entry<String, JsonNode>> it = reference.fields(); it.hasNext(); ) {
      var e = it.next();
      JsonNode value = exported.get(e.getKey());
      boolean required = e.getKey().equals("weights") || e.getKey().equals("source");
      if ((value == null && required) || (value != null && !sameValue(value, e.getValue()))) {
        problems.add("model.weights." + e.getKey() + ": bundle.json says " + (value == null ? "nothing" : value)
            + ", the fixtures' reference is " + e.getValue());
      }
    }
    return problems.isEmpty()
        ? CheckResult.passed(PROVENANCE, "graphs exported from the weights the fixtures were made from: " + exported, 0, 0)
        : CheckResult.failed(PROVENANCE, String.join("; ", problems), problems.size(), 0);
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
      Preprocessor preprocessor = new Preprocessor(ModelSettings.of(bundle).preprocess());
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
      String name = endToEndName(c);
      try {
        InitialSample initialSample = initialSample(c);
        float[] image = NpyArray.read(folder.resolve(c.path("image").asText())).floats();
        if (!seedChecked && initialSample == InitialSample.NOISE) {   // x_T = 0 says nothing of the noise
          float[] expected = NpyArray.read(folder.resolve(c.path("trajectory").get(0).path("file").asText())).floats();
          float[] noise = new float[expected.length];
          new TorchCompatibleNoise(seed).fill(noise);
          out.add(CheckResult.atMost("seed compatibility", "max |TorchCompatibleNoise(" + seed + ") - torch.randn|",
              maxAbsDiff(expected, noise), NOISE_TOLERANCE));
          seedChecked = true;
        }
        PreprocessSpec in = segmenter.settings().preprocess();
        SamplingOptions options = segmenter.options().withScheduler(SchedulerSpec.parse(scheduler)).withSteps(steps)
            .withEnsemble(ensemble).withSeed(seed).withInitialSample(initialSample).withFlipAverage(flipAverage(c));
        SegmentationResult r = segmenter.segmentPreprocessed("fixture", image, in.height(), in.width(),
            SegmentRequest.defaults().withOptions(options));
        float[] expectedProbability = NpyArray.read(folder.resolve(c.path("probability").asText())).floats();
        long[] expectedMask = NpyArray.read(folder.resolve(c.path("mask").asText())).longs();
        double diff = maxAbsDiff(expectedProbability, r.probability());
        double dice = dice(expectedMask, r.mask());
        // A quantized bundle's fixtures widen these: its int8 graphs turn last-bit differences of x_t into whole
        // quantization steps, so the generator sets them from the reference's own sensitivity (docs/conformance.md).
        double probabilityTolerance = c.path("tolerance").path("probability_abs").asDouble(PROBABILITY_TOLERANCE);
        double maskDice = c.path("tolerance").path("mask_dice").asDouble(MASK_DICE);
        boolean ok = diff <= probabilityTolerance && dice >= maskDice;
        String reference = index.path("generated_with").path("end_to_end_pipeline").asText("pytorch")
            .equals("onnxruntime") ? "reference" : "PyTorch";
        String detail = String.format("max |probability - %s| = %.3g (tolerance %s), mask Dice = %.4f (at least %s)",
            reference, diff, probabilityTolerance, dice, maskDice);
        JsonNode distance = c.path("distance_to");
        if (distance.isObject()) {
          detail += String.format("; reference vs %s (%s): mask Dice %.4f", distance.path("bundle").asText(),
              distance.path("pipeline").asText(), distance.path("mask_dice").asDouble());
        }
        out.add(ok ? CheckResult.passed(name, detail, diff, probabilityTolerance)
            : CheckResult.failed(name, detail, diff, probabilityTolerance));
        out.addAll(ReferenceJudgement.check(name, c, r, folder, Math.max(CONFIDENCE_TOLERANCE, 2 * probabilityTolerance)));
      } catch (IllegalArgumentException e) {
        out.add(new CheckResult(name, CheckResult.Status.UNSUPPORTED, e.getMessage(), Double.NaN, Double.NaN));
      } catch (Exception e) {
        out.add(CheckResult.failed(name, String.valueOf(e.getMessage()), Double.NaN, PROBABILITY_TOLERANCE));
      }
    }
    return out;
  }

  /** A case's start: {@code initial_sample} of the fixture (noise when absent, as fixtures before the key). */
  private static InitialSample initialSample(JsonNode endToEndCase) {
    return InitialSample.of(endToEndCase.path("initial_sample").asText(InitialSample.NOISE.manifestName()));
  }

  /** Whether a case averages the image with its mirror: {@code flip_average} of the fixture, false when absent. */
  private static boolean flipAverage(JsonNode endToEndCase) {
    return endToEndCase.path("flip_average").asBoolean(false);
  }

  private static String endToEndName(JsonNode c) {
    return "end to end " + c.path("scheduler").asText() + " " + c.path("steps").asInt() + " steps"
        + (initialSample(c) == InitialSample.ZEROS ? " from zeros" : "") + (flipAverage(c) ? " flip-averaged" : "");
  }

  private static CheckResult determinism(Segmenter segmenter) {
    String name = "determinism";
    try {
      PreprocessSpec in = segmenter.settings().preprocess();
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
      PreprocessSpec in = segmenter.settings().preprocess();
      float[] image = new float[in.height() * in.width()];
      SegmentRequest request = SegmentRequest.defaults().withOptions(segmenter.options().withSteps(10));
      float[] gpu = segmenter.segmentPreprocessed("gpu", image, in.height(), in.width(), request).probability();
      float[] host = cpu.segmentPreprocessed("cpu", image, in.height(), in.width(), request).probability();
      return CheckResult.atMost(name, "max |CUDA - CPU| probability", maxAbsDiff(gpu, host), PROBABILITY_TOLERANCE);
    } catch (PgDiffSegException | RuntimeException e) {
      return CheckResult.failed(name, String.valueOf(e.getMessage()), Double.NaN, PROBABILITY_TOLERANCE);
    }
  }

  /**
   * Dice of every validation image, with the settings the manifest's first metrics row names, against that row's
   * per-image figures (pgdiffseg.evaluate --record): one image off by more than the tolerance fails. A row
   * recorded before per-image figures were kept is compared by its mean only, and the detail says so.
   */
  private CheckResult validationDice(ModelBundle bundle, Segmenter segmenter) {
    String name = "claimed validation Dice";
    JsonNode claimed = bundle.manifest().metrics() == null ? null : bundle.manifest().metrics().path("results").path(0);
    if (data == null) {
      return CheckResult.skipped(name, "no --data folder given");
    }
    if (claimed == null || claimed.isMissingNode()) {
      return CheckResult.skipped(name, "bundle.json records no validation metrics (an export records none; "
          + "pgdiffseg.evaluate --record measures them)");
    }
    try (Segmenter gated = segmenter.toBuilder().gating(true).build()) {
      SamplingOptions options = segmenter.options()
          .withScheduler(SchedulerSpec.parse(claimed.path("scheduler").asText()))
          .withSteps(claimed.path("steps").asInt()).withEnsemble(claimed.path("ensemble").asInt())
          .withSeed(claimed.path("seed").asLong())
          .withInitialSample(claimed.path("init_noise").asText("randn").equals("zeros")
              ? InitialSample.ZEROS : InitialSample.NOISE);
      Map<String, Double> sdk = ValidationSet.dice(gated, options, data);
      double mean = sdk.values().stream().mapToDouble(Double::doubleValue).average().orElse(Double.NaN);
      double expected = claimed.path("dice").asDouble();
      JsonNode perImage = claimed.path("per_image_dice");
      if (perImage.isMissingNode()) {
        return CheckResult.atMost(name, String.format("bundle.json records no per-image Dice (re-run pgdiffseg.evaluate "
            + "--record for the per-image check); mean only: |SDK %.4f - claimed %.4f|", mean, expected),
            Math.abs(mean - expected), VAL_DICE_TOLERANCE);
      }
      List<String> off = new ArrayList<>();
      double worst = 0;
      for (Iterator<Map.Entry<String, JsonNode>> it = perImage.fields(); it.hasNext(); ) {
        var e = it.next();
        Double actual = sdk.get(e.getKey());
        double d = actual == null ? Double.POSITIVE_INFINITY : Math.abs(actual - e.getValue().asDouble());
        worst = Math.max(worst, d);
        if (d > PER_IMAGE_DICE_TOLERANCE) {
          off.add(actual == null ? e.getKey() + " not in --data"
              : String.format("%s SDK %.4f vs recorded %.4f", e.getKey(), actual, e.getValue().asDouble()));
        }
      }
      String means = String.format("mean SDK %.4f, claimed %.4f", mean, expected);
      if (off.isEmpty()) {
        return CheckResult.passed(name, String.format("all %d images within %s of their recorded Dice (worst %.3g); %s",
            perImage.size(), PER_IMAGE_DICE_TOLERANCE, worst, means), worst, PER_IMAGE_DICE_TOLERANCE);
      }
      return CheckResult.failed(name, String.format("%d of %d images differ from their recorded Dice by more than %s: %s%s; %s",
          off.size(), perImage.size(), PER_IMAGE_DICE_TOLERANCE, String.join(", ", off.subList(0, Math.min(5, off.size()))),
          off.size() > 5 ? ", ..." : "", means), worst, PER_IMAGE_DICE_TOLERANCE);
    } catch (PgDiffSegException | IOException | RuntimeException e) {
      return CheckResult.failed(name, String.valueOf(e.getMessage()), Double.NaN, PER_IMAGE_DICE_TOLERANCE);
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

    /** Dice of each validation image, by id, in split.csv order. */
    static Map<String, Double> dice(Segmenter segmenter, SamplingOptions options, Path root)
        throws IOException, PgDiffSegException {
      List<String> lines = Files.readAllLines(root.resolve("split.csv"));
      List<String> header = List.of(lines.get(0).split(","));
      int id = header.indexOf("id");
      int split = header.indexOf("split");
      ImageDecoder decoder = new ImageDecoder();
      Map<String, Double> out = new LinkedHashMap<>();
      for (String line : lines.subList(1, lines.size())) {
        String[] cells = line.split(",");
        if (!cells[split].equals("val")) {
          continue;
        }
        SegmentationResult r = segmenter.segment(root.resolve("val/images/" + cells[id] + ".png"),
            SegmentRequest.defaults().withOptions(options));
        DecodedImage truth = decoder.decode(root.resolve("val/masks/" + cells[id] + ".png"));
        out.put(cells[id], MaskOverlap.of(r.mask(), truth).dice());
      }
      return out;
    }
  }
}
