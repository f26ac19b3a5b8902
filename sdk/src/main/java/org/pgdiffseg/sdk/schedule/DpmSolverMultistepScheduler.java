package org.pgdiffseg.sdk.schedule;

import org.pgdiffseg.sdk.noise.NoiseSource;

/**
 * Multistep DPM-Solver (Lu et al. 2022) and DPM-Solver++ (Lu et al. 2022b), deterministic or SDE, orders
 * 1-3 (SDE-DPM-Solver 1-2, as diffusers), on timestep-spaced or Karras sigmas, with the semantics of diffusers'
 * DPMSolverMultistepScheduler. Not thread-safe.
 */
public final class DpmSolverMultistepScheduler extends MultistepSolver {
  private final DpmSolverConfig config;
  private float[] noise;

  public DpmSolverMultistepScheduler(DiffusionSchedule schedule, DpmSolverConfig config) {
    super(schedule, config.solverOrder());
    this.config = config;
  }

  @Override
  protected SigmaSchedule sigmaSchedule(int steps) {
    float[] alphasCumprod = schedule.alphasCumprod();
    if (!config.useKarrasSigmas()) {
      return SigmaSchedule.of(alphasCumprod, steps, config.timestepSpacing(), config.stepsOffset(),
          config.finalSigmasType(), config.lambdaMinClipped());
    }
    float[] training = SigmaSchedule.trainingSigmas(alphasCumprod);
    double[] sigmas = KarrasSigmas.sigmas(steps, training[0], training[training.length - 1]);
    // diffusers rounds the timesteps except on the cosine schedule, where the int64 cast truncates them
    boolean round = !schedule.betaSchedule().equals("squaredcos_cap_v2");
    return SigmaSchedule.of(KarrasSigmas.timesteps(sigmas, training, round), sigmas,
        SigmaSchedule.finalSigma(alphasCumprod, config.finalSigmasType()));
  }

  private boolean dataPrediction() {
    return DpmSolverConfig.dataPrediction(config.algorithmType());
  }

  @Override
  public void step(float[] modelOutput, int timestep, float[] sample, NoiseSource noiseSource, float[] prevOut, float[] x0Out) {
    int n = beginStep(timestep, sample.length);
    boolean lowerOrderFinal = stepIndex == n - 1
        && (config.eulerAtFinal() || (config.lowerOrderFinal() && n < 15) || config.finalSigmasType().equals("zero"));
    boolean lowerOrderSecond = stepIndex == n - 2 && config.lowerOrderFinal() && n < 15;

    convert(modelOutput, sample, history.push(), x0Out);
    if (config.stochastic()) {
      noise = nextNoise(noiseSource, sample.length);
    }
    if (config.solverOrder() == 1 || lowerOrderNums < 1 || lowerOrderFinal) {
      firstOrder(sample, prevOut);
    } else if (config.solverOrder() == 2 || lowerOrderNums < 2 || lowerOrderSecond) {
      secondOrder(sample, prevOut);
    } else {
      thirdOrder(sample, prevOut);
    }
    endStep();
  }

  /** Data (x0) prediction for DPM-Solver++, noise prediction for DPM-Solver; x0 for the caller either way. */
  private void convert(float[] m, float[] sample, float[] out, float[] x0Out) {
    float sigma = run.sigmas()[stepIndex];
    float alphaT = SigmaSchedule.alpha(sigma);
    float sigmaT = sigma * alphaT;
    PredictionType prediction = schedule.predictionType();
    for (int i = 0; i < m.length; i++) {
      float x = sample[i];
      float x0 = switch (prediction) {
        case EPSILON -> (x - sigmaT * m[i]) / alphaT;
        case SAMPLE -> m[i];
        case V_PREDICTION -> alphaT * x - sigmaT * m[i];
      };
      if (x0Out != null) {
        x0Out[i] = x0;
      }
      if (dataPrediction()) {
        out[i] = x0;
      } else {
        out[i] = switch (prediction) {
          case EPSILON -> m[i];
          case SAMPLE -> (x - alphaT * m[i]) / sigmaT;
          case V_PREDICTION -> alphaT * m[i] + sigmaT * x;
        };
      }
    }
  }

  private void firstOrder(float[] sample, float[] out) {
    float[] m0 = history.get(1);
    float st = run.sigmas()[stepIndex + 1];
    float ss = run.sigmas()[stepIndex];
    float alphaT = SigmaSchedule.alpha(st);
    float sigmaT = st * alphaT;
    float alphaS = SigmaSchedule.alpha(ss);
    float sigmaS = ss * alphaS;
    float h = SigmaSchedule.lambda(st) - SigmaSchedule.lambda(ss);
    switch (config.algorithmType()) {
      case "dpmsolver++" -> {   // DPM-Solver++ eq. 8 (first order = DDIM)
        float a = sigmaT / sigmaS;
        float b = alphaT * ((float) Math.exp(-h) - 1f);
        for (int i = 0; i < out.length; i++) {
          out[i] = a * sample[i] - b * m0[i];
        }
      }
      case "dpmsolver" -> {   // DPM-Solver eq. 3.7 (first order)
        float a = alphaT / alphaS;
        float b = sigmaT * ((float) Math.exp(h) - 1f);
        for (int i = 0; i < out.length; i++) {
          out[i] = a * sample[i] - b * m0[i];
        }
      }
      case "sde-dpmsolver" -> {   // SDE-DPM-Solver first order
        float a = alphaT / alphaS;
        float b = 2f * (sigmaT * ((float) Math.exp(h) - 1f));
        float c = sigmaT * (float) Math.sqrt((float) Math.exp(2f * h) - 1f);
        for (int i = 0; i < out.length; i++) {
          out[i] = a * sample[i] - b * m0[i] + c * noise[i];
        }
      }
      default -> {   // SDE-DPM-Solver++ first order
        float a = sigmaT / sigmaS * (float) Math.exp(-h);
        float b = alphaT * (1f - (float) Math.exp(-2f * h));
        float c = sigmaT * (float) Math.sqrt(1f - (float) Math.exp(-2f * h));
        for (int i = 0; i < out.length; i++) {
          out[i] = a * sample[i] + b * m0[i] + c * noise[i];
        }
      }
    }
  }

  private void secondOrder(float[] sample, float[] out) {
    float[] m0 = history.get(1);
    float[] m1 = history.get(2);
    float[] s = run.sigmas();
    float st = s[stepIndex + 1];
    float s0 = s[stepIndex];
    float s1 = s[stepIndex - 1];
    float alphaT = SigmaSchedule.alpha(st);
    float sigmaT = st * alphaT;
    float alphaS0 = SigmaSchedule.alpha(s0);
    float sigmaS0 = s0 * alphaS0;
    float lambdaT = SigmaSchedule.lambda(st);
    float lambdaS0 = SigmaSchedule.lambda(s0);
    float lambdaS1 = SigmaSchedule.lambda(s1);
    float h = lambdaT - lambdaS0;
    float r0 = (lambdaS0 - lambdaS1) / h;
    float invR0 = 1f / r0;
    boolean midpoint = config.solverType().equals("midpoint");
    float a;
    float b;
    float c;
    float d = 0;
    switch (config.algorithmType()) {
      case "dpmsolver++" -> {   // DPM-Solver++(2M), Algorithm 2
        a = sigmaT / sigmaS0;
        b = -(alphaT * ((float) Math.exp(-h) - 1f));
        c = midpoint ? -(0.5f * (alphaT * ((float) Math.exp(-h) - 1f)))
            : alphaT * (((float) Math.exp(-h) - 1f) / h + 1f);
      }
      case "dpmsolver" -> {
        a = alphaT / alphaS0;
        b = -(sigmaT * ((float) Math.exp(h) - 1f));
        c = midpoint ? -(0.5f * (sigmaT * ((float) Math.exp(h) - 1f)))
            : -(sigmaT * (((float) Math.exp(h) - 1f) / h - 1f));
      }
      case "sde-dpmsolver" -> {   // SDE-DPM-Solver-2M
        float ep = (float) Math.exp(h) - 1f;
        a = alphaT / alphaS0;
        b = -(2f * (sigmaT * ep));
        c = midpoint ? -(sigmaT * ep) : -(2f * (sigmaT * (ep / h - 1f)));
        d = sigmaT * (float) Math.sqrt((float) Math.exp(2f * h) - 1f);
      }
      default -> {   // SDE-DPM-Solver++(2M)
        float e2 = 1f - (float) Math.exp(-2f * h);
        a = sigmaT / sigmaS0 * (float) Math.exp(-h);
        b = alphaT * e2;
        c = midpoint ? 0.5f * (alphaT * e2) : alphaT * (e2 / (-2f * h) + 1f);
        d = sigmaT * (float) Math.sqrt(e2);
      }
    }
    for (int i = 0; i < out.length; i++) {
      float d1 = invR0 * (m0[i] - m1[i]);
      float v = a * sample[i] + b * m0[i] + c * d1;
      out[i] = d == 0 ? v : v + d * noise[i];
    }
  }

  private void thirdOrder(float[] sample, float[] out) {
    float[] m0 = history.get(1);
    float[] m1 = history.get(2);
    float[] m2 = history.get(3);
    float[] s = run.sigmas();
    float st = s[stepIndex + 1];
    float s0 = s[stepIndex];
    float alphaT = SigmaSchedule.alpha(st);
    float sigmaT = st * alphaT;
    float alphaS0 = SigmaSchedule.alpha(s0);
    float sigmaS0 = s0 * alphaS0;
    float lambdaT = SigmaSchedule.lambda(st);
    float lambdaS0 = SigmaSchedule.lambda(s0);
    float lambdaS1 = SigmaSchedule.lambda(s[stepIndex - 1]);
    float lambdaS2 = SigmaSchedule.lambda(s[stepIndex - 2]);
    float h = lambdaT - lambdaS0;
    float r0 = (lambdaS0 - lambdaS1) / h;
    float r1 = (lambdaS1 - lambdaS2) / h;
    float a;
    float b;
    float c;
    float e;
    float d = 0;
    switch (config.algorithmType()) {
      case "dpmsolver++" -> {   // DPM-Solver++(3M)
        float em = (float) Math.exp(-h) - 1f;
        a = sigmaT / sigmaS0;
        b = -(alphaT * em);
        c = alphaT * (em / h + 1f);
        e = -(alphaT * ((em + h) / (h * h) - 0.5f));
      }
      case "dpmsolver" -> {   // DPM-Solver-3 multistep
        float ep = (float) Math.exp(h) - 1f;
        a = alphaT / alphaS0;
        b = -(sigmaT * ep);
        c = -(sigmaT * (ep / h - 1f));
        e = -(sigmaT * ((ep - h) / (h * h) - 0.5f));
      }
      default -> {   // SDE-DPM-Solver++(3M); sde-dpmsolver has no third order (refused by the config)
        float e2 = 1f - (float) Math.exp(-2f * h);
        float h2 = 2f * h;
        a = sigmaT / sigmaS0 * (float) Math.exp(-h);
        b = alphaT * e2;
        c = alphaT * (e2 / -h2 + 1f);
        e = alphaT * ((e2 - h2) / (h2 * h2) - 0.5f);
        d = sigmaT * (float) Math.sqrt(e2);
      }
    }
    float w = r0 / (r0 + r1);
    float inv = 1f / (r0 + r1);
    for (int i = 0; i < out.length; i++) {
      float d10 = (1f / r0) * (m0[i] - m1[i]);
      float d11 = (1f / r1) * (m1[i] - m2[i]);
      float d1 = d10 + w * (d10 - d11);
      float d2 = inv * (d10 - d11);
      float v = a * sample[i] + b * m0[i] + c * d1 + e * d2;
      out[i] = d == 0 ? v : v + d * noise[i];
    }
  }
}
