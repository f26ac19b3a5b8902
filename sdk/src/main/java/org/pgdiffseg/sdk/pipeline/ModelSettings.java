package org.pgdiffseg.sdk.pipeline;

import java.util.List;
import org.pgdiffseg.sdk.BundleException;
import org.pgdiffseg.sdk.bundle.BundleManifest;
import org.pgdiffseg.sdk.bundle.ModelBundle;
import org.pgdiffseg.sdk.gating.GatePolicy;
import org.pgdiffseg.sdk.imaging.PreprocessSpec;
import org.pgdiffseg.sdk.schedule.DiffusersConfig;
import org.pgdiffseg.sdk.schedule.DiffusionSchedule;
import org.pgdiffseg.sdk.schedule.SchedulerSpec;

/**
 * What a bundle's manifest stands for, as typed settings built in one place: the preprocessing, the training
 * noise schedule (with its prediction type), the gate, the sampling defaults (with the scheduler from the
 * bundle's diffusers {@code scheduler_config.json} when it carries one, else from the CLI name in
 * {@code sampling_defaults.scheduler}) and the value range of a clean mask sample. The Segmenter, the
 * conformance suite and the tools take these instead of reading manifest fields. Immutable.
 */
public record ModelSettings(PreprocessSpec preprocess, DiffusionSchedule schedule, GatePolicy gate,
    SamplingOptions samplingDefaults, MaskRange maskRange) {

  /** The values a clean mask sample x_0 takes for background and lesion ({@code diffusion.mask_value_range}). */
  public record MaskRange(float background, float lesion) {
    /** [-1, 1], the paper's and every bundle's so far. */
    public static final MaskRange SYMMETRIC = new MaskRange(-1f, 1f);
  }

  /** The settings of {@code bundle}; a scheduler config the SDK cannot honour refuses the bundle. */
  public static ModelSettings of(ModelBundle bundle) throws BundleException {
    BundleManifest m = bundle.manifest();
    var in = m.input();
    PreprocessSpec preprocess = new PreprocessSpec(in.height(), in.width(), in.intensityWindow().get(0),
        in.intensityWindow().get(1), in.normalizationRange().get(0), in.normalizationRange().get(1),
        in.resizeInterpolation());
    var d = m.diffusion();
    DiffusionSchedule schedule = new DiffusionSchedule(d.numTrainTimesteps(), d.betaSchedule(), d.betaStart(),
        d.betaEnd(), d.predictionType());
    var g = m.gating();
    GatePolicy gate = new GatePolicy(g.classes(), g.skipClassIndex(), g.threshold(), true);
    var s = m.samplingDefaults();
    SchedulerSpec scheduler;
    try {
      // The scheduler_config.json, read and checked against bundle.json when the bundle was opened, wins.
      scheduler = bundle.schedulerConfig().map(DiffusersConfig::scheduler)
          .orElseGet(() -> SchedulerSpec.parse(s.scheduler()));
      scheduler.create(schedule);   // refuse a scheduler this schedule cannot drive, now
    } catch (IllegalArgumentException e) {
      throw new BundleException(bundle.root() + ": sampling_defaults: " + e.getMessage(), e);
    }
    SamplingOptions defaults = new SamplingOptions(scheduler, s.steps(), s.ensemble(),
        s.seed() == null ? 0 : s.seed(), s.maskThreshold(), false, false,
        s.initialSample() == null ? InitialSample.NOISE : InitialSample.of(s.initialSample()),
        Boolean.TRUE.equals(s.flipAverage()));
    return new ModelSettings(preprocess, schedule, gate, defaults, maskRange(d.maskValueRange()));
  }

  private static MaskRange maskRange(List<Double> range) {
    return range == null ? MaskRange.SYMMETRIC : new MaskRange(range.get(0).floatValue(), range.get(1).floatValue());
  }
}
