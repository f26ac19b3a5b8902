package org.pgdiffseg.sdk.schedule;

import org.pgdiffseg.sdk.noise.NoiseSource;
import static com.google.common.base.Preconditions.checkArgument;

/** DDIM (Song et al. 2021, eq. 12), with the semantics of diffusers' DDIMScheduler. Not thread-safe. */
public final class DdimScheduler extends RunTimesteps {
  private final DiffusionSchedule schedule;
  private final DdimConfig config;
  private final float[] alphasCumprod;
  private final float finalAlphaCumprod;

  public DdimScheduler(DiffusionSchedule schedule, DdimConfig config) {
    this.schedule = schedule;
    this.config = config;
    this.alphasCumprod = schedule.alphasCumprod();
    this.finalAlphaCumprod = config.setAlphaToOne() ? 1.0f : alphasCumprod[0];
  }

  @Override
  public void setTimesteps(int numInferenceSteps) {
    timesteps = TimestepSpacing.fromConfig(config.timestepSpacing())
        .singleStep(numInferenceSteps, schedule.numTrainTimesteps(), config.stepsOffset());
  }



  @Override
  public void step(float[] modelOutput, int t, float[] sample, NoiseSource noiseSource, float[] prevOut, float[] x0Out) {
    requireRun();
    checkArgument(t >= 0 && t < alphasCumprod.length, "timestep %s outside [0, %s)", t, alphasCumprod.length);
    int prevT = t - schedule.numTrainTimesteps() / timesteps.length;
    float alphaProdT = alphasCumprod[t];
    float alphaProdPrev = prevT >= 0 ? alphasCumprod[prevT] : finalAlphaCumprod;
    float betaProdT = 1 - alphaProdT;
    float betaProdPrev = 1 - alphaProdPrev;
    float sqrtAlphaProdT = (float) Math.sqrt(alphaProdT);
    float sqrtBetaProdT = (float) Math.sqrt(betaProdT);
    // eq. 16: sigma_t(eta)
    float variance = betaProdPrev / betaProdT * (1 - alphaProdT / alphaProdPrev);
    float std = (float) config.eta() * (float) Math.sqrt(variance);
    float dirCoef = (float) Math.sqrt(1 - alphaProdPrev - std * std);
    float sqrtAlphaPrev = (float) Math.sqrt(alphaProdPrev);
    float range = (float) config.clipSampleRange();
    boolean stochastic = config.eta() > 0;
    float[] noise = stochastic ? nextNoise(noiseSource, sample.length) : null;
    PredictionType prediction = schedule.predictionType();
    for (int i = 0; i < sample.length; i++) {
      float x = sample[i];
      float m = modelOutput[i];
      float x0;
      float eps;
      switch (prediction) {
        case EPSILON -> {
          x0 = (x - sqrtBetaProdT * m) / sqrtAlphaProdT;
          eps = m;
        }
        case SAMPLE -> {
          x0 = m;
          eps = (x - sqrtAlphaProdT * x0) / sqrtBetaProdT;
        }
        default -> {   // V_PREDICTION (a switch statement is not exhaustive for definite assignment)
          x0 = sqrtAlphaProdT * x - sqrtBetaProdT * m;
          eps = sqrtAlphaProdT * m + sqrtBetaProdT * x;
        }
      }
      if (config.clipSample()) {
        x0 = Math.max(-range, Math.min(range, x0));
      }
      if (x0Out != null) {
        x0Out[i] = x0;
      }
      // eq. 12: predicted x0, direction to x_t, random noise
      float prev = sqrtAlphaPrev * x0 + dirCoef * eps;
      prevOut[i] = stochastic ? prev + std * noise[i] : prev;
    }
  }
}
