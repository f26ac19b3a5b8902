package org.pgdiffseg.sdk.pipeline;

import static com.google.common.base.Preconditions.checkNotNull;

import com.google.common.hash.Hashing;
import java.io.IOException;
import java.nio.file.Files;
import java.util.LinkedHashMap;
import java.util.Map;
import org.pgdiffseg.sdk.BundleException;
import org.pgdiffseg.sdk.SdkVersion;
import org.pgdiffseg.sdk.bundle.ModelBundle;
import org.pgdiffseg.sdk.gating.GatePolicy;
import org.pgdiffseg.sdk.runtime.ExecutionDevice;
import org.pgdiffseg.sdk.schedule.DiffusersConfig;
import org.pgdiffseg.sdk.schedule.DiffusionSchedule;
import org.pgdiffseg.sdk.schedule.SchedulerSpec;

/**
 * Everything that decides a segmentation, as an audit record: the model (id, version and the sha256 of its
 * bundle.json, which lists the sha256 of every graph), the sampler complete (its CLI name and its full diffusers
 * config, steps, start, seed, ensemble, flip averaging), the mask threshold and cleanup, the gate, the SDK's version and where the
 * graphs ran. With the same SDK version and device, {@link #applyTo} on a builder of the same bundle reproduces
 * every mask bit for bit; {@link #toMap} / {@link #fromMap} are its JSON form (results.json, eval.json, Spark
 * rows). Immutable.
 *
 * @param modelSha256 sha256 of the bundle's bundle.json
 * @param schedulerConfig the scheduler's diffusers config ({@code _class_name} and every key), exact
 * @param deviceReason why the graphs ran on {@code device} (the device asked for and, where {@code auto} ended on
 *     CPU, what CUDA lacked); empty in records written before it was kept. Explains, decides nothing
 * @param flipAverage whether each image was averaged with its horizontal mirror; false in records written before
 *     it was kept
 */
public record RunRecord(String modelId, String modelVersion, String modelSha256, String scheduler,
    Map<String, Object> schedulerConfig, int steps, int ensemble, long seed, InitialSample initialSample,
    double maskThreshold, boolean largestComponent, boolean fillHoles, boolean gating, double gateThreshold,
    String sdkVersion, ExecutionDevice device, String deviceReason, boolean flipAverage) {

  public RunRecord {
    checkNotNull(modelId, "modelId");
    checkNotNull(modelVersion, "modelVersion");
    checkNotNull(modelSha256, "modelSha256");
    checkNotNull(scheduler, "scheduler");
    schedulerConfig = Map.copyOf(schedulerConfig);
    checkNotNull(initialSample, "initialSample");
    checkNotNull(sdkVersion, "sdkVersion");
    checkNotNull(device, "device");
    checkNotNull(deviceReason, "deviceReason");
  }

  /** The record of sampling {@code bundle} (whose bundle.json has {@code sha256}) with these settings. */
  static RunRecord of(ModelBundle bundle, String sha256, DiffusionSchedule schedule, SamplingOptions o,
      GatePolicy gate, ExecutionDevice device, String deviceReason) {
    return new RunRecord(bundle.manifest().id(), bundle.manifest().version(), sha256,
        o.scheduler().name(), DiffusersConfig.toConfig(o.scheduler(), schedule), o.steps(), o.ensemble(), o.seed(),
        o.initialSample(), o.maskThreshold(), o.keepLargestComponent(), o.fillHoles(), gate.enabled(),
        gate.threshold(), SdkVersion.get(), device, deviceReason, o.flipAverage());
  }

  /** sha256 of the bundle's bundle.json: it names every file of the bundle by its own sha256. */
  public static String manifestSha256(ModelBundle bundle) throws BundleException {
    try {
      return Hashing.sha256().hashBytes(Files.readAllBytes(bundle.root().resolve(ModelBundle.MANIFEST))).toString();
    } catch (IOException e) {
      throw new BundleException(bundle.root() + ": cannot read " + ModelBundle.MANIFEST + ": " + e.getMessage(), e);
    }
  }

  /** ONNX Runtime's name for the execution provider that ran the graphs. */
  public String executionProvider() {
    return device == ExecutionDevice.CUDA ? "CUDAExecutionProvider" : "CPUExecutionProvider";
  }

  /** The sampling part, as the pipeline takes it. */
  public SamplingOptions samplingOptions() {
    SchedulerSpec spec = schedulerSpec();
    return new SamplingOptions(spec, steps, ensemble, seed, maskThreshold, largestComponent, fillHoles, initialSample,
        flipAverage);
  }

  /** The sampler from its recorded diffusers config: exact, whatever its CLI name says. */
  public SchedulerSpec schedulerSpec() {
    Object className = schedulerConfig.get("_class_name");
    if (!(className instanceof String name)) {
      throw new IllegalArgumentException("scheduler_config has no _class_name");
    }
    SchedulerSpec spec = DiffusersConfig.scheduler(name, schedulerConfig);
    return new SchedulerSpec(scheduler, spec.config());
  }

  /**
   * Sets {@code builder}'s sampling and gate to this record's; refuses (naming both) a bundle that is not the
   * recorded model, since the same settings on other weights give other masks.
   */
  public Segmenter.Builder applyTo(Segmenter.Builder builder, ModelBundle bundle) throws BundleException {
    String sha = manifestSha256(bundle);
    if (!sha.equals(modelSha256)) {
      throw new BundleException(bundle.root() + ": the record was made with " + modelId + " " + modelVersion
          + " (bundle.json sha256 " + modelSha256 + "), this bundle is " + bundle.manifest().id() + " "
          + bundle.manifest().version() + " (sha256 " + sha + ")");
    }
    return builder.bundle(bundle).options(samplingOptions()).gating(gating).gateThreshold(gateThreshold);
  }

  /** The JSON form: {@code model}, {@code sampling}, {@code gate}, {@code sdk}, {@code runtime}. */
  public Map<String, Object> toMap() {
    Map<String, Object> m = new LinkedHashMap<>();
    Map<String, Object> model = new LinkedHashMap<>();
    model.put("id", modelId);
    model.put("version", modelVersion);
    model.put("sha256", modelSha256);
    m.put("model", model);
    Map<String, Object> sampling = new LinkedHashMap<>();
    sampling.put("scheduler", scheduler);
    sampling.put("scheduler_config", sortedConfig());
    sampling.put("steps", steps);
    sampling.put("ensemble", ensemble);
    sampling.put("seed", seed);
    sampling.put("initial_sample", initialSample.manifestName());
    sampling.put("mask_threshold", maskThreshold);
    sampling.put("largest_component", largestComponent);
    sampling.put("fill_holes", fillHoles);
    sampling.put("flip_average", flipAverage);
    m.put("sampling", sampling);
    Map<String, Object> gate = new LinkedHashMap<>();
    gate.put("enabled", gating);
    gate.put("threshold", gateThreshold);
    m.put("gate", gate);
    m.put("sdk", Map.of("version", sdkVersion));
    Map<String, Object> runtime = new LinkedHashMap<>();
    runtime.put("device", device.name());
    runtime.put("execution_provider", executionProvider());
    if (!deviceReason.isEmpty()) {
      runtime.put("device_reason", deviceReason);
    }
    m.put("runtime", runtime);
    return m;
  }

  /** {@code _class_name} first, then the keys in diffusers' order, as scheduler_config.json lists them. */
  private Map<String, Object> sortedConfig() {
    Map<String, Object> c = new LinkedHashMap<>();
    c.put("_class_name", schedulerConfig.get("_class_name"));
    schedulerConfig.entrySet().stream().filter(e -> !e.getKey().equals("_class_name"))
        .sorted(Map.Entry.comparingByKey()).forEach(e -> c.put(e.getKey(), e.getValue()));
    return c;
  }

  /**
   * Reads {@link #toMap}'s form back; every missing or mistyped key is an {@link IllegalArgumentException}
   * naming it.
   */
  public static RunRecord fromMap(Map<String, Object> m) {
    Map<String, Object> model = section(m, "model");
    Map<String, Object> sampling = section(m, "sampling");
    Map<String, Object> gate = section(m, "gate");
    Map<String, Object> sdk = section(m, "sdk");
    Map<String, Object> runtime = section(m, "runtime");
    String device = text(runtime, "runtime.device");
    ExecutionDevice d;
    try {
      d = ExecutionDevice.valueOf(device);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("runtime.device must be CPU or CUDA, got '" + device + "'");
    }
    return new RunRecord(text(model, "model.id"), text(model, "model.version"), text(model, "model.sha256"),
        text(sampling, "sampling.scheduler"), section(sampling, "scheduler_config"),
        (int) number(sampling, "sampling.steps"), (int) number(sampling, "sampling.ensemble"),
        whole(sampling, "sampling.seed"), InitialSample.of(text(sampling, "sampling.initial_sample")),
        number(sampling, "sampling.mask_threshold"), flag(sampling, "sampling.largest_component"),
        flag(sampling, "sampling.fill_holes"), flag(gate, "gate.enabled"), number(gate, "gate.threshold"),
        text(sdk, "sdk.version"), d, optionalText(runtime, "runtime.device_reason"),
        value(sampling, "sampling.flip_average") != null && flag(sampling, "sampling.flip_average"));
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> section(Map<String, Object> m, String key) {
    Object v = m.get(key);
    if (!(v instanceof Map<?, ?>)) {
      throw new IllegalArgumentException("'" + key + "' must be an object, got " + describe(v));
    }
    return (Map<String, Object>) v;
  }

  private static Object value(Map<String, Object> m, String path) {
    return m.get(path.substring(path.lastIndexOf('.') + 1));
  }

  private static String text(Map<String, Object> m, String path) {
    if (!(value(m, path) instanceof String s)) {
      throw new IllegalArgumentException("'" + path + "' must be a string, got " + describe(value(m, path)));
    }
    return s;
  }

  /** A string that records written before the key existed lack: empty then. */
  private static String optionalText(Map<String, Object> m, String path) {
    return value(m, path) == null ? "" : text(m, path);
  }

  private static double number(Map<String, Object> m, String path) {
    if (!(value(m, path) instanceof Number n)) {
      throw new IllegalArgumentException("'" + path + "' must be a number, got " + describe(value(m, path)));
    }
    return n.doubleValue();
  }

  /** A whole number as JSON gives it (seeds reach 2^63, past a double's exact range). */
  private static long whole(Map<String, Object> m, String path) {
    Object v = value(m, path);
    if (!(v instanceof Integer || v instanceof Long || v instanceof java.math.BigInteger big && big.bitLength() < 64)) {
      throw new IllegalArgumentException("'" + path + "' must be a whole number, got " + describe(v));
    }
    return ((Number) v).longValue();
  }

  private static boolean flag(Map<String, Object> m, String path) {
    if (!(value(m, path) instanceof Boolean b)) {
      throw new IllegalArgumentException("'" + path + "' must be true or false, got " + describe(value(m, path)));
    }
    return b;
  }

  private static String describe(Object v) {
    return v == null ? "nothing" : v.getClass().getSimpleName() + " " + v;
  }
}
