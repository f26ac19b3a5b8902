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
    if (require(p, m.input(), "input")) {
      var in = m.input();
      positive(p, in.height(), "input.height");
      positive(p, in.width(), "input.width");
      if (in.channels() != null && in.channels() != 1) {
        p.add("input.channels: expected 1, got " + in.channels());
      }
      range(p, in.intensityWindow(), "input.intensity_window");
      range(p, in.normalizationRange(), "input.normalization_range");
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
      positive(p, d.numTrainTimesteps(), "diffusion.num_train_timesteps");
      require(p, d.betaSchedule(), "diffusion.beta_schedule");
      require(p, d.betaStart(), "diffusion.beta_start");
      require(p, d.betaEnd(), "diffusion.beta_end");
      if (d.maskValueRange() != null) {
        range(p, d.maskValueRange(), "diffusion.mask_value_range");
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
      positive(p, g.opset(), at + ".opset");
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
      positive(p, s.steps(), "sampling_defaults.steps");
      positive(p, s.ensemble(), "sampling_defaults.ensemble");
      require(p, s.maskThreshold(), "sampling_defaults.mask_threshold");
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
    return p;
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
          if (!(d instanceof Number n && n.longValue() > 0) && !(d instanceof String)) {
            p.add(ti + ".shape: dimensions must be positive integers or names, got " + t.shape());
            break;
          }
        }
      }
      if (require(p, t.dtype(), ti + ".dtype") && !DTYPES.contains(t.dtype())) {
        p.add(ti + ".dtype: expected one of " + DTYPES + ", got '" + t.dtype() + "'");
      }
      if (t.range() != null) {
        range(p, t.range(), ti + ".range");
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

  private static void positive(List<String> p, Integer value, String key) {
    if (require(p, value, key) && value <= 0) {
      p.add(key + ": expected a positive integer, got " + value);
    }
  }

  private static void range(List<String> p, List<Double> r, String key) {
    if (require(p, r, key) && (r.size() != 2 || r.get(0) == null || r.get(1) == null || !(r.get(0) < r.get(1)))) {
      p.add(key + ": expected [low, high] with low < high, got " + r);
    }
  }
}
