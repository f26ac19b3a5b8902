package org.pgdiffseg.sdk.schedule;

import org.pgdiffseg.sdk.noise.NoiseSource;
import static com.google.common.base.Preconditions.checkArgument;

/**
 * Ancestral DDPM sampling (Ho et al. 2020, Algorithm 2 with the posterior of eq. 6-7), with the semantics
 * of diffusers' DDPMScheduler. Not thread-safe.
 */
public final class DdpmScheduler extends RunTimesteps {
  private final DiffusionSchedule schedule;
  private final DdpmConfig config;
  private final float[] alphasCumprod;

  public DdpmScheduler(DiffusionSchedule schedule, DdpmConfig config) {
    this.schedule = schedule;
    this.config = config;
    this.alphasCumprod = schedule.alphasCumprod();
  }

  @Override
  public void setTimesteps(int numInferenceSteps) {
    timesteps = TimestepSpacing.fromConfig(config.timestepSpacing())
        .singleStep(numInferenceSteps, schedule.numTrainTimesteps(), config.stepsOffset());
  }



  /** The next timestep of the run after {@code t}, or -1 after the last (diffusers' previous_timestep). */
  private int previousTimestep(int t) {
    for (int i = 0; i < timesteps.length; i++) {
      if (timesteps[i] == t) {
        return i + 1 < timesteps.length ? timesteps[i + 1] : -1;
      }
    }
    throw new IllegalArgumentException("timestep " + t + " is not one of this run's timesteps");
  }

  @Override
  public void step(float[] modelOutput, int t, float[] sample, NoiseSource noiseSource, float[] prevOut, float[] x0Out) {
    requireRun();
    checkArgument(t >= 0 && t < alphasCumprod.length, "timestep %s outside [0, %s)", t, alphasCumprod.length);
    int prevT = previousTimestep(t);
    float alphaProdT = alphasCumprod[t];
    float alphaProdPrev = prevT >= 0 ? alphasCumprod[prevT] : 1.0f;
    float betaProdT = 1 - alphaProdT;
    float betaProdPrev = 1 - alphaProdPrev;
    float currentAlphaT = alphaProdT / alphaProdPrev;
    float currentBetaT = 1 - currentAlphaT;
    float sqrtAlphaProdT = (float) Math.sqrt(alphaProdT);
    float sqrtBetaProdT = (float) Math.sqrt(betaProdT);
    // eq. 7: posterior mean coefficients of x0 and x_t
    float coefX0 = (float) Math.sqrt(alphaProdPrev) * currentBetaT / betaProdT;
    float coefXt = (float) Math.sqrt(currentAlphaT) * betaProdPrev / betaProdT;
    float range = (float) config.clipSampleRange();
    float std = 0;
    // Filled only on the steps where diffusers draws noise (t > 0), so the torch.randn stream stays aligned.
    float[] noise = noiseBuffer(sample.length);
    if (t > 0) {
      float variance = Math.max(betaProdPrev / betaProdT * currentBetaT, 1e-20f);
      std = switch (config.varianceType()) {
        case "fixed_small" -> (float) Math.sqrt(variance);
        case "fixed_small_log" -> (float) Math.exp(0.5 * (float) Math.log(variance));
        case "fixed_large" -> (float) Math.sqrt(currentBetaT);
        default -> (float) Math.exp(0.5 * (float) Math.log(currentBetaT));
      };
      noiseSource.fill(noise);
    }
    PredictionType prediction = schedule.predictionType();
    for (int i = 0; i < sample.length; i++) {
      float x = sample[i];
      float m = modelOutput[i];
      float x0 = switch (prediction) {
        case EPSILON -> (x - sqrtBetaProdT * m) / sqrtAlphaProdT;
        case SAMPLE -> m;
        case V_PREDICTION -> sqrtAlphaProdT * x - sqrtBetaProdT * m;
      };
      if (config.clipSample()) {
        x0 = Math.max(-range, Math.min(range, x0));
      }
      if (x0Out != null) {
        x0Out[i] = x0;
      }
      float prev = coefX0 * x0 + coefXt * x;
      prevOut[i] = t > 0 ? prev + std * noise[i] : prev;
    }
  }
}
