package org.pgdiffseg.sdk.bundle;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.pgdiffseg.sdk.BundleException;
import org.pgdiffseg.sdk.bundle.BundleManifest.GraphDecl;
import org.pgdiffseg.sdk.bundle.BundleManifest.TensorDecl;

/**
 * Parses and validates {@code bundle.json}. {@code format_version} is checked before anything else; in
 * strict mode an unknown key is an error. Every problem is reported with the key's path. Thread-safe.
 */
public final class ManifestParser {
  /** Format versions this SDK reads. */
  public static final Set<String> SUPPORTED_FORMATS = Set.of("1.0");

  private static final Set<String> DTYPES = Set.of("float32");
  private final ObjectMapper mapper;

  private ManifestParser(boolean strict) {
    this.mapper = new ObjectMapper()
        .setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
        .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, strict)
        .configure(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES, true);
  }

  public static ManifestParser strict() {
    return new ManifestParser(true);
  }

  public static ManifestParser lenient() {
    return new ManifestParser(false);
  }

  /** Parses {@code json}; {@code source} names the file in messages. */
  public BundleManifest parse(byte[] json, String source) throws BundleException {
    JsonNode tree;
    try {
      tree = mapper.readTree(json);
    } catch (JsonProcessingException e) {
      throw new BundleException(source + ": not valid JSON: " + e.getOriginalMessage(), e);
    } catch (java.io.IOException e) {
      throw new BundleException(source + ": cannot read: " + e.getMessage(), e);
    }
    if (tree == null || !tree.isObject()) {
      throw new BundleException(source + ": expected a JSON object");
    }
    JsonNode format = tree.get("format_version");
    if (format == null || !format.isTextual()) {
      throw new BundleException(source + ": missing key 'format_version' (expected one of " + SUPPORTED_FORMATS + ")");
    }
    if (!SUPPORTED_FORMATS.contains(format.asText())) {
      throw new BundleException(source + ": unknown format_version '" + format.asText() + "', expected one of "
          + SUPPORTED_FORMATS);
    }
    // Jackson would read the string "true" as a boolean; a switch that changes every mask takes only true or false.
    JsonNode flip = tree.path("sampling_defaults").path("flip_average");
    if (!flip.isMissingNode() && !flip.isBoolean()) {
      throw new BundleException(source + ": wrong type at 'sampling_defaults.flip_average': expected true or false, got "
          + flip);
    }
    BundleManifest manifest;
    try {
      manifest = mapper.treeToValue(tree, BundleManifest.class);
    } catch (UnrecognizedPropertyException e) {
      throw new BundleException(source + ": unknown key '" + pathOf(e) + "' (strict mode)", e);
    } catch (JsonProcessingException e) {
      throw new BundleException(source + ": wrong type at '" + pathOf(e) + "': " + e.getOriginalMessage(), e);
    }
    List<String> problems = validate(manifest);
    if (!problems.isEmpty()) {
      throw new BundleException(source + ": " + String.join("; ", problems));
    }
    return manifest;
  }

  private static String pathOf(JsonProcessingException e) {
    if (e instanceof com.fasterxml.jackson.databind.JsonMappingException m) {
      StringBuilder path = new StringBuilder();
      for (var ref : m.getPath()) {
        if (ref.getFieldName() != null) {
          path.append(path.isEmpty() ? "" : ".").append(ref.getFieldName());
        } else {
          path.append('[').append(ref.getIndex()).append(']');
        }
      }
      return path.toString();
    }
    return "?";
  }

  /** Checks required keys and values; returns one message per problem. */
  static List<String> validate(BundleManifest m) {
    List<String> p = new ArrayList<>();
    for (String[] name : new String[][] {{"id", m.id()}, {"version", m.version()}}) {
      if (require(p, name[1], name[0]) && PlainName.problem(name[0], name[1]) != null) {
        p.add(PlainName.problem(name[0], name[1]));
      }
    }
    if (m.exportedWith() != null) {
      var e = m.exportedWith();
      if (e.opset() != null) {
        between(p, e.opset(), "exported_with.opset", 1, ManifestLimits.MAX_OPSET);
      }
      if (e.maxAbsErrorVsTorch() != null && !(e.maxAbsErrorVsTorch() >= 0 && Double.isFinite(e.maxAbsErrorVsTorch()))) {
        p.add("exported_with.max_abs_error_vs_torch is " + e.maxAbsErrorVsTorch() + ", expected a finite number >= 0");
      }
    }
    if (require(p, m.input(), "input")) {
      var in = m.input();
      between(p, in.height(), "input.height", 1, ManifestLimits.MAX_IMAGE_SIDE);
      between(p, in.width(), "input.width", 1, ManifestLimits.MAX_IMAGE_SIDE);
      if (in.channels() != null && in.channels() != 1) {
        p.add("input.channels: expected 1, got " + in.channels());
      }
      range(p, in.intensityWindow(), "input.intensity_window", 0, ManifestLimits.MAX_INTENSITY);
      range(p, in.normalizationRange(), "input.normalization_range", -ManifestLimits.MAX_VALUE_RANGE,
          ManifestLimits.MAX_VALUE_RANGE);
      if (require(p, in.resizeInterpolation(), "input.resize_interpolation")
          && !Set.of("area", "linear", "cubic", "nearest").contains(in.resizeInterpolation())) {
        p.add("input.resize_interpolation: expected area, linear, cubic or nearest, got '" + in.resizeInterpolation() + "'");
      }
    }
    if (require(p, m.diffusion(), "diffusion")) {
      var d = m.diffusion();
      if (require(p, d.predictionType(), "diffusion.prediction_type")
          && !Set.of("epsilon", "v_prediction", "sample").contains(d.predictionType())) {
        p.add("diffusion.prediction_type: expected epsilon, v_prediction or sample, got '" + d.predictionType() + "'");
      }
      between(p, d.numTrainTimesteps(), "diffusion.num_train_timesteps", ManifestLimits.MIN_TRAIN_TIMESTEPS,
          ManifestLimits.MAX_TRAIN_TIMESTEPS);
      if (require(p, d.betaSchedule(), "diffusion.beta_schedule")
          && !ManifestLimits.BETA_SCHEDULES.contains(d.betaSchedule())) {
        p.add("diffusion.beta_schedule is '" + d.betaSchedule() + "', expected one of " + ManifestLimits.BETA_SCHEDULES);
      }
      betas(p, d.betaStart(), d.betaEnd());
      if (d.maskValueRange() != null) {
        range(p, d.maskValueRange(), "diffusion.mask_value_range", -ManifestLimits.MAX_VALUE_RANGE,
            ManifestLimits.MAX_VALUE_RANGE);
      }
    }
    for (String graph : List.of(BundleManifest.PRIOR, BundleManifest.DENOISER)) {
      GraphDecl g = m.graphs().get(graph);
      if (!require(p, g, "graphs." + graph)) {
        continue;
      }
      String at = "graphs." + graph;
      if (require(p, g.file(), at + ".file") && (g.file().contains("..") || g.file().startsWith("/"))) {
        p.add(at + ".file: must be a plain file name inside the bundle, got '" + g.file() + "'");
      }
      if (require(p, g.sha256(), at + ".sha256") && !g.sha256().matches("[0-9a-f]{64}")) {
        p.add(at + ".sha256: expected 64 lowercase hex digits, got '" + g.sha256() + "'");
      }
      between(p, g.opset(), at + ".opset", 1, ManifestLimits.MAX_OPSET);
      tensors(p, g.inputs(), at + ".inputs");
      tensors(p, g.outputs(), at + ".outputs");
    }
    if (require(p, m.gating(), "gating")) {
      var gate = m.gating();
      if (require(p, gate.classes(), "gating.classes") && require(p, gate.skipClass(), "gating.skip_class")
          && gate.skipClassIndex() < 0) {
        p.add("gating.skip_class: '" + gate.skipClass() + "' is not one of " + gate.classes());
      }
      if (require(p, gate.threshold(), "gating.threshold") && !(gate.threshold() >= 0 && gate.threshold() <= 1)) {
        p.add("gating.threshold: expected a probability in [0, 1], got " + gate.threshold());
      }
    }
    if (require(p, m.samplingDefaults(), "sampling_defaults")) {
      var s = m.samplingDefaults();
      require(p, s.scheduler(), "sampling_defaults.scheduler");
      // More sampling steps than training timesteps has no timestep left to visit: every image would fail.
      Integer t = m.diffusion() == null ? null : m.diffusion().numTrainTimesteps();
      int trainSteps = t != null && t >= ManifestLimits.MIN_TRAIN_TIMESTEPS && t <= ManifestLimits.MAX_TRAIN_TIMESTEPS
          ? t : ManifestLimits.MAX_TRAIN_TIMESTEPS;   // an invalid T is reported once, above
      between(p, s.steps(), "sampling_defaults.steps", 1, trainSteps);
      between(p, s.ensemble(), "sampling_defaults.ensemble", 1, ManifestLimits.MAX_ENSEMBLE);
      if (require(p, s.maskThreshold(), "sampling_defaults.mask_threshold")
          && !(s.maskThreshold() > 0 && s.maskThreshold() < 1)) {
        p.add("sampling_defaults.mask_threshold is " + s.maskThreshold() + ", expected a probability in (0, 1)");
      }
      if (s.seed() != null && s.seed() < 0) {
        // torch.manual_seed maps a negative seed to another stream than its two's complement: no reference matches.
        p.add("sampling_defaults.seed is " + s.seed() + ", expected 0.." + Long.MAX_VALUE);
      }
      if (s.initialSample() != null && !Set.of("noise", "zeros").contains(s.initialSample())) {
        p.add("sampling_defaults.initial_sample: expected noise or zeros, got '" + s.initialSample() + "'");
      }
      if (s.schedulerConfig() != null && (s.schedulerConfig().contains("..") || s.schedulerConfig().startsWith("/"))) {
        p.add("sampling_defaults.scheduler_config: must be a file inside the bundle, got '" + s.schedulerConfig() + "'");
      }
    }
    m.files().forEach((name, sum) -> {
      if (name.contains("..") || name.startsWith("/") || name.contains("\\")) {
        p.add("files: '" + name + "' is not a relative path inside the bundle");
      }
      if (sum == null || !sum.matches("[0-9a-f]{64}")) {
        p.add("files." + name + ": expected a sha256 of 64 lowercase hex digits");
      }
    });
    if (m.confidence() != null) {
      confidence(p, m.confidence());
    }
    return p;
  }

  /**
   * The optional confidence section: known, distinct signals, one finite coefficient each, a threshold in [0, 1],
   * and where given a gate precision in (0, 1].
   */
  private static void confidence(List<String> p, BundleManifest.ConfidenceSpec c) {
    if (require(p, c.signals(), "confidence.signals")) {
      if (c.signals().isEmpty()) {
        p.add("confidence.signals: expected at least one signal");
      }
      for (String name : c.signals()) {
        if (!BundleManifest.ConfidenceSpec.SIGNALS.contains(name)) {
          p.add("confidence.signals: unknown signal '" + name + "', expected some of "
              + BundleManifest.ConfidenceSpec.SIGNALS);
        }
      }
      if (Set.copyOf(c.signals()).size() != c.signals().size()) {
        p.add("confidence.signals: a signal is named twice in " + c.signals());
      }
    }
    if (require(p, c.coefficients(), "confidence.coefficients")) {
      if (c.signals() != null && c.coefficients().size() != c.signals().size()) {
        p.add("confidence.coefficients: expected " + c.signals().size() + " (one per signal), got "
            + c.coefficients().size());
      }
      for (Double v : c.coefficients()) {
        if (v == null || !Double.isFinite(v)) {
          p.add("confidence.coefficients: expected finite numbers, got " + v);
        }
      }
    }
    if (require(p, c.intercept(), "confidence.intercept") && !Double.isFinite(c.intercept())) {
      p.add("confidence.intercept: expected a finite number, got " + c.intercept());
    }
    if (require(p, c.reviewThreshold(), "confidence.review_threshold")
        && !(c.reviewThreshold() >= 0 && c.reviewThreshold() <= 1)) {
      p.add("confidence.review_threshold: expected a probability in [0, 1], got " + c.reviewThreshold());
    }
    // optional: a section without it scores a gated image by the gate's own P(skip)
    if (c.gatePrecision() != null && !(c.gatePrecision() > 0 && c.gatePrecision() <= 1)) {
      p.add("confidence.gate_precision: expected a probability in (0, 1], got " + c.gatePrecision());
    }
  }

  private static void tensors(List<String> p, List<TensorDecl> tensors, String at) {
    if (tensors.isEmpty()) {
      p.add(at + ": no tensors declared");
    }
    for (int i = 0; i < tensors.size(); i++) {
      TensorDecl t = tensors.get(i);
      String ti = at + "[" + i + "]";
      require(p, t.name(), ti + ".name");
      if (require(p, t.shape(), ti + ".shape")) {
        for (Object d : t.shape()) {
          boolean dimension = d instanceof Integer n && n >= 1 && n <= ManifestLimits.MAX_DIMENSION;
          if (!dimension && !(d instanceof String)) {
            p.add(ti + ".shape is " + t.shape() + ", expected dimensions that are integers in 1.."
                + ManifestLimits.MAX_DIMENSION + " or names");
            break;
          }
        }
      }
      if (require(p, t.dtype(), ti + ".dtype") && !DTYPES.contains(t.dtype())) {
        p.add(ti + ".dtype: expected one of " + DTYPES + ", got '" + t.dtype() + "'");
      }
      if (t.range() != null) {
        range(p, t.range(), ti + ".range", -Double.MAX_VALUE, Double.MAX_VALUE);
      }
    }
  }

  private static boolean require(List<String> p, Object value, String key) {
    if (value == null) {
      p.add("missing key '" + key + "'");
      return false;
    }
    return true;
  }

  private static void between(List<String> p, Integer value, String key, int min, int max) {
    if (require(p, value, key) && (value < min || value > max)) {
      p.add(key + " is " + value + ", expected " + min + ".." + max);
    }
  }

  /** 0 < beta_start <= beta_end < 1: a beta of 0 or 1 makes alpha_cumprod 1 or 0 and the update rules divide by it. */
  private static void betas(List<String> p, Double start, Double end) {
    boolean both = require(p, start, "diffusion.beta_start") & require(p, end, "diffusion.beta_end");
    if (start != null && !(start > 0 && start < 1)) {
      p.add("diffusion.beta_start is " + start + ", expected 0 < beta_start < 1");
    } else if (end != null && !(end > 0 && end < 1)) {
      p.add("diffusion.beta_end is " + end + ", expected 0 < beta_end < 1");
    } else if (both && start > end) {
      p.add("diffusion.beta_start is " + start + ", expected at most diffusion.beta_end (" + end + ")");
    }
  }

  /** A finite [low, high] with low < high, inside [min, max]. */
  private static void range(List<String> p, List<Double> r, String key, double min, double max) {
    if (require(p, r, key) && (r.size() != 2 || r.get(0) == null || r.get(1) == null || !(r.get(0) < r.get(1))
        || !(r.get(0) >= min && r.get(1) <= max))) {
      String bounds = max == Double.MAX_VALUE ? "finite" : "in [" + fmt(min) + ", " + fmt(max) + "]";
      p.add(key + " is " + r + ", expected [low, high] with low < high, both " + bounds);
    }
  }

  private static String fmt(double v) {
    return v == Math.rint(v) ? String.valueOf((long) v) : String.valueOf(v);
  }
}
