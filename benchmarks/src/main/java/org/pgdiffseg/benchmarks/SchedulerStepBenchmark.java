package org.pgdiffseg.benchmarks;

import java.util.SplittableRandom;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.infra.Blackhole;
import org.pgdiffseg.sdk.noise.GaussianNoise;
import org.pgdiffseg.sdk.schedule.DiffusionSchedule;
import org.pgdiffseg.sdk.schedule.Scheduler;
import org.pgdiffseg.sdk.schedule.SchedulerSpec;

/**
 * One scheduler update on a K = 5 ensemble of 128 x 128 masks, the Java work between two denoiser calls.
 * Each invocation is a whole run ({@code setTimesteps} and every step), reported per step.
 */
@State(Scope.Thread)
public class SchedulerStepBenchmark extends HotPathBenchmark {
  static final int STEPS = 20;
  static final int ELEMENTS = 5 * 128 * 128;

  @Param({"ddim", "dpm++", "unipc", "ddpm"})
  public String scheduler;

  private Scheduler instance;
  private final float[] modelOutput = new float[ELEMENTS];
  private final float[] sample = new float[ELEMENTS];
  private final float[] previous = new float[ELEMENTS];
  private final float[] x0 = new float[ELEMENTS];
  private final GaussianNoise noise = new GaussianNoise(0);

  @Setup
  public void setUp() {
    instance = SchedulerSpec.parse(scheduler)
        .create(new DiffusionSchedule(1000, "linear", 1e-4, 2e-2, "v_prediction"));
    SplittableRandom random = new SplittableRandom(0);
    for (int i = 0; i < ELEMENTS; i++) {
      modelOutput[i] = (float) random.nextGaussian();
      sample[i] = (float) random.nextGaussian();
    }
  }

  @Benchmark
  @OperationsPerInvocation(STEPS)
  public void step(Blackhole sink) {
    instance.setTimesteps(STEPS);
    for (int t : instance.timesteps()) {
      instance.step(modelOutput, t, sample, noise, previous, x0);
    }
    sink.consume(previous);
  }
}
