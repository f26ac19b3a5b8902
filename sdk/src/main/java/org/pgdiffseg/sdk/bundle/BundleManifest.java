package org.pgdiffseg.sdk.bundle;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.Map;

/**
 * The parsed {@code bundle.json} of a model bundle (docs/bundle-format.md). Field names map 1:1 to the
 * manifest's snake_case keys. Immutable; validated once by {@link ManifestParser}.
 */
public record BundleManifest(
    String formatVersion,
    String id,
    String version,
    List<ChangelogEntry> changelog,
    String description,
    String license,
    String intendedUse,
    ExportInfo exportedWith,
    JsonNode model,
    InputSpec input,
    DiffusionSpec diffusion,
    Map<String, GraphDecl> graphs,
    GatingSpec gating,
    SamplingDefaults samplingDefaults,
    JsonNode metrics,
    Map<String, String> files,
    ConfidenceSpec confidence) {

  public static final String PRIOR = "prior";
  public static final String DENOISER = "denoiser";

  public BundleManifest {
    changelog = changelog == null ? List.of() : List.copyOf(changelog);
    graphs = graphs == null ? Map.of() : Map.copyOf(graphs);
    files = files == null ? Map.of() : Map.copyOf(files);
  }

  public GraphDecl prior() {
    return graphs.get(PRIOR);
  }

  public GraphDecl denoiser() {
    return graphs.get(DENOISER);
  }

  /** One release note. */
  public record ChangelogEntry(String version, String changes) {}

  /** Versions the graphs were exported with and how closely they matched PyTorch. */
  public record ExportInfo(String torch, String onnx, Integer opset, Double maxAbsErrorVsTorch) {}

  /** Preprocessing: model input size, intensity window, output range and resize interpolation. */
  public record InputSpec(
      Integer height,
      Integer width,
      Integer channels,
      List<Double> intensityWindow,
      List<Double> normalizationRange,
      String resizeInterpolation) {}

  /** The training noise schedule the samplers must use. */
  public record DiffusionSpec(
      String predictionType,
      Integer numTrainTimesteps,
      String betaSchedule,
      Double betaStart,
      Double betaEnd,
      List<Double> maskValueRange) {}

  /** One graph file: its checksum, opset and declared I/O. */
  public record GraphDecl(String file, String sha256, Integer opset, List<TensorDecl> inputs, List<TensorDecl> outputs) {
    public GraphDecl {
      inputs = inputs == null ? List.of() : List.copyOf(inputs);
      outputs = outputs == null ? List.of() : List.copyOf(outputs);
    }
  }

  /**
   * A declared tensor: name, shape (integers, or a string such as "N" for a symbolic dimension), element
   * type, optional value range and meaning, as MONAI's network_data_format.
   */
  public record TensorDecl(String name, List<Object> shape, String dtype, List<Double> range, String meaning) {
    public TensorDecl {
      shape = shape == null ? null : List.copyOf(shape);
    }

    /** The shape with -1 for symbolic dimensions. */
    public long[] dims() {
      return shape.stream().mapToLong(d -> d instanceof Number n ? n.longValue() : -1L).toArray();
    }
  }

  /** Classification gate: class names in logit order, the class that skips diffusion and its threshold. */
  public record GatingSpec(List<String> classes, String skipClass, Double threshold) {
    public GatingSpec {
      classes = classes == null ? null : List.copyOf(classes);
    }

    public int skipClassIndex() {
      return classes.indexOf(skipClass);
    }
  }

  /**
   * Sampling settings the bundle was evaluated with. {@code scheduler} is a CLI name; {@code schedulerConfig},
   * when present, names a diffusers scheduler_config.json in the bundle that states the scheduler exactly and
   * takes precedence. {@code initialSample} is "noise" (the default) or "zeros". {@code flipAverage}: average each
   * image with its horizontal mirror (absent: off).
   */
  public record SamplingDefaults(String scheduler, Integer steps, Integer ensemble, Double maskThreshold, Long seed,
      String schedulerConfig, String initialSample, Boolean flipAverage) {}

  /**
   * The optional {@code confidence} section (docs/confidence.md): a logistic model of "this mask is good" over
   * named per-image signals, {@code sigmoid(intercept + sum coefficients[i] * signal[i])}, and the confidence
   * below which an image is flagged for review. Absent: the bundle's results carry no confidence.
   *
   * @param fittedOn what the model was fitted on (text, for people)
   * @param command the command that fitted it
   * @param validation its figures on data it was not fitted on (the validation split)
   */
  public record ConfidenceSpec(List<String> signals, List<Double> coefficients, Double intercept,
      Double reviewThreshold, Double gatePrecision, String fittedOn, String command, ConfidenceFigures validation) {
    /** The signals the SDK computes, by their names in bundle.json. */
    public static final List<String> SIGNALS = List.of("coarse_agreement", "first_step_agreement", "gate_tumor",
        "sharpness", "lesion_fraction", "mirror_prior_agreement");

    public ConfidenceSpec {
      signals = signals == null ? null : List.copyOf(signals);
      coefficients = coefficients == null ? null : List.copyOf(coefficients);
    }
  }

  /** Spearman correlation of the confidence with Dice, and AUROC of a low confidence for Dice {@literal <} 0.5. */
  public record ConfidenceFigures(Double spearman, Double auroc) {}
}
