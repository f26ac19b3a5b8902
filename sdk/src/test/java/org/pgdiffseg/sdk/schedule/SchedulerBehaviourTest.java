package org.pgdiffseg.sdk.schedule;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.pgdiffseg.sdk.noise.TorchCompatibleNoise;
import org.pgdiffseg.sdk.testing.HeapAllocations;

/** What the vectors cannot show: misuse, refusals, the finite UniPC limit and allocation-free steps. */
class SchedulerBehaviourTest {
  static final DiffusionSchedule SCHEDULE = DiffusionSchedule.pgdiffseg();

  @ParameterizedTest
  @ValueSource(strings = {"ddpm", "ddim", "dpm++", "dpm++3", "dpm++-sde", "dpm", "unipc", "unipc-p"})
  void stepBeforeSetTimestepsIsMisuse(String name) {
    Scheduler s = SchedulerSpec.parse(name).create(SCHEDULE);
    float[] x = new float[4];
    assertThatThrownBy(() -> s.step(x, 999, x, new TorchCompatibleNoise(0), new float[4], null))
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("setTimesteps");
  }

  @Test
  void ddimTrailingStepsEndAtTheNoisiestTimestep() {
    Scheduler one = SchedulerSpec.parse("ddim-trailing").create(SCHEDULE);
    one.setTimesteps(1);
    assertThat(one.timesteps()).containsExactly(999);
    Scheduler two = SchedulerSpec.parse("ddim-trailing").create(SCHEDULE);
    two.setTimesteps(2);
    assertThat(two.timesteps()).containsExactly(999, 499);
  }

  @Test
  void unknownNamesAndBadStepCountsAreRefused() {
    assertThatThrownBy(() -> SchedulerSpec.parse("euler")).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("expected one of");
    Scheduler ddim = SchedulerSpec.ddim().create(SCHEDULE);
    assertThatThrownBy(() -> ddim.setTimesteps(0)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> ddim.setTimesteps(1001)).isInstanceOf(IllegalArgumentException.class);
    Scheduler dpm = SchedulerSpec.dpmSolverPlusPlus(2).create(SCHEDULE);
    assertThatThrownBy(() -> dpm.setTimesteps(1000)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("repeat timestep");
  }

  @Test
  void diffusersOptionsTheSdkDoesNotImplementAreRefused() {
    assertThatThrownBy(() -> DiffusersConfig.scheduler("DDIMScheduler", Map.of("thresholding", true)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("thresholding");
    assertThatThrownBy(() -> DiffusersConfig.scheduler("EulerDiscreteScheduler", Map.of()))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("unsupported scheduler class");
    assertThatThrownBy(() -> new DpmSolverConfig(3, "sde-dpmsolver", "midpoint", true, false, "sigma_min", "linspace", 0))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("sde-dpmsolver supports solver_order 1 and 2");
    assertThatThrownBy(() -> new DpmSolverConfig(2, "sde-dpmsolver", "midpoint", true, false, "zero", "linspace", 0))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("final_sigmas_type zero");
    assertThatThrownBy(() -> new DdpmConfig("learned", true, 1, "leading", 0)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> DiffusersConfig.scheduler("DPMSolverMultistepScheduler", Map.of("use_lu_lambdas", true)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("DPMSolverMultistepScheduler: use_lu_lambdas = true is not supported");
    assertThatThrownBy(() -> DiffusersConfig.schedule(Map.of("trained_betas", List.of(0.1, 0.2))))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("trained_betas = [0.1, 0.2]");
    assertThatThrownBy(() -> DiffusersConfig.scheduler("DPMSolverMultistepScheduler", Map.of("algorithm_type", "deis")))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("algorithm_type deis");
  }

  @Test
  void valuesOfTheWrongTypeAreRefusedRatherThanReadAsTheDefault() {
    assertThatThrownBy(() -> DiffusersConfig.scheduler("DPMSolverMultistepScheduler", Map.of("lambda_min_clipped", "-5.1")))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("lambda_min_clipped is \"-5.1\" (a string), expected a number");
    assertThatThrownBy(() -> DiffusersConfig.scheduler("UniPCMultistepScheduler", Map.of("use_karras_sigmas", "true")))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("use_karras_sigmas is \"true\" (a string), expected true or false");
    assertThatThrownBy(() -> DiffusersConfig.scheduler("DDIMScheduler", Map.of("steps_offset", 1.5)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("steps_offset is 1.5 (a number), expected an integer");
  }

  @Test
  void lambdaMinClippedMovesTheCosineScheduleOffItsNoisiestTimesteps() {
    DiffusionSchedule cosine = new DiffusionSchedule(1000, "squaredcos_cap_v2", 1e-4, 0.02, "epsilon");
    Scheduler clipped = SchedulerSpec.dpmSolver(DpmSolverConfig.defaults().withLambdaMinClipped(-5.1)).create(cosine);
    clipped.setTimesteps(13);
    assertThat(clipped.timesteps()).startsWith(995, 918, 842);
    Scheduler unclipped = SchedulerSpec.dpmSolverPlusPlus(2).create(cosine);
    unclipped.setTimesteps(13);
    assertThat(unclipped.timesteps()).startsWith(999, 922);
    // The same through a diffusers config, as diffusers' docs recommend it for cosine schedules.
    SchedulerSpec fromConfig = DiffusersConfig.scheduler("DPMSolverMultistepScheduler", Map.of("lambda_min_clipped", -5.1));
    Scheduler viaConfig = fromConfig.create(cosine);
    viaConfig.setTimesteps(13);
    assertThat(viaConfig.timesteps()).isEqualTo(clipped.timesteps());
  }

  @Test
  void karrasSigmasThatRepeatTheFirstTimestepAreRefused() {
    // On the cosine schedule Karras sigmas crowd near sigma_max: diffusers would start at the second sigma and fail.
    DiffusionSchedule cosine = new DiffusionSchedule(1000, "squaredcos_cap_v2", 1e-4, 0.02, "epsilon");
    Scheduler s = SchedulerSpec.dpmSolver(DpmSolverConfig.defaults().withKarrasSigmas(true)).create(cosine);
    assertThatThrownBy(() -> s.setTimesteps(20)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("repeat the first timestep 998");
    s.setTimesteps(3);
    assertThat(s.timesteps()).containsExactly(998, 997, 0);
  }

  @ParameterizedTest
  @ValueSource(strings = {"bh1", "bh2"})
  void uniPcStaysFiniteAtAZeroFinalSigmaWhereDiffusersGivesNaN(String solver) {
    UniPcConfig config = UniPcConfig.defaults().withSolverType(solver).withSolverOrder(3).withLowerOrderFinal(false);
    Scheduler s = SchedulerSpec.uniPc(config).create(SCHEDULE);
    float[] x = new float[16];
    TorchCompatibleNoise noise = new TorchCompatibleNoise(3);
    noise.fill(x);
    float[] eps = new float[16];
    float[] next = new float[16];
    s.setTimesteps(10);
    for (int t : s.timesteps()) {
      noise.fill(eps);
      s.step(eps, t, x, noise, next, null);
      float[] swap = x;
      x = next;
      next = swap;
    }
    for (float v : x) {
      assertThat(Float.isFinite(v)).isTrue();
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"ddpm", "ddim", "dpm++", "dpm++3", "dpm++-sde", "unipc", "sde-dpmsolver++3-karras", "unipc-karras"})
  void stepsAllocateNothingAfterTheFirst(String name) throws Exception {
    Scheduler s = switch (name) {
      case "sde-dpmsolver++3-karras" -> SchedulerSpec.dpmSolver(DpmSolverConfig.defaults()
          .withAlgorithmType("sde-dpmsolver++").withSolverOrder(3).withKarrasSigmas(true)).create(SCHEDULE);
      case "unipc-karras" -> SchedulerSpec.uniPc(UniPcConfig.defaults().withKarrasSigmas(true)).create(SCHEDULE);
      default -> SchedulerSpec.parse(name).create(SCHEDULE);
    };
    int n = 16384;
    float[] x = new float[n];
    float[] eps = new float[n];
    float[] out = new float[n];
    float[] x0 = new float[n];
    TorchCompatibleNoise noise = new TorchCompatibleNoise(1);
    // Whole warm-up runs first, so that the measured steps do not pay for the JIT's first compilations.
    for (int run = 0; run < 3; run++) {
      s.setTimesteps(50);
      for (int t : s.timesteps()) {
        s.step(eps, t, x, noise, out, x0);
      }
    }
    // Whole runs until one allocates nothing after its first step (which sets up the multistep history).
    long allocated = HeapAllocations.untilNoneAllocated(20, () -> {
      s.setTimesteps(50);
      int[] ts = s.timesteps();
      s.step(eps, ts[0], x, noise, out, x0);
      long before = HeapAllocations.sinceThreadStart();
      for (int i = 1; i < ts.length; i++) {
        s.step(eps, ts[i], x, noise, out, x0);
      }
      return HeapAllocations.sinceThreadStart() - before;
    });
    assertThat(allocated).as("bytes allocated by 49 steps of " + name).isZero();
  }
}
