package org.pgdiffseg.sdk.schedule;

import org.pgdiffseg.sdk.noise.NoiseSource;

/**
 * UniPC (Zhao et al. 2023): the UniP-p predictor and the UniC corrector with B(h) = h (bh1) or e^h - 1
 * (bh2), data prediction, on timestep-spaced or Karras sigmas, with the semantics of diffusers'
 * UniPCMultistepScheduler. One deliberate difference: where the final sigma is 0, h is infinite and diffusers
 * turns NaN (bh1 multiplies B(h) = -inf by a zero residual; without lower_order_final the residuals divide by
 * rk = 0). Here that step takes the limit, a first-order step with B(h) = e^-inf - 1 = -1, which lands on the
 * data prediction, so the result is finite (docs/schedulers.md). Not thread-safe.
 */
public final class UniPcMultistepScheduler extends MultistepSolver {
  private final UniPcConfig config;
  private float[] lastSample;
  private float[] corrected;
  private float[] converted;
  private boolean hasLastSample;
  private int thisOrder;
  private final double[] rks = new double[4];
  private final double[] b = new double[4];
  private final double[][] r = new double[4][4];
  private final double[] rhos = new double[4];
  private final double[][] lu = new double[4][4];
  private final double[] rhs = new double[4];

  public UniPcMultistepScheduler(DiffusionSchedule schedule, UniPcConfig config) {
    super(schedule, config.solverOrder());
    this.config = config;
  }

  @Override
  protected SigmaSchedule sigmaSchedule(int steps) {
    float[] alphasCumprod = schedule.alphasCumprod();
    if (!config.useKarrasSigmas()) {
      return SigmaSchedule.of(alphasCumprod, steps, config.timestepSpacing(), config.stepsOffset(),
          config.finalSigmasType(), Double.NEGATIVE_INFINITY);
    }
    float[] training = SigmaSchedule.trainingSigmas(alphasCumprod);
    double sigmaMin = config.sigmaMin() != null ? config.sigmaMin() : training[0];
    double sigmaMax = config.sigmaMax() != null ? config.sigmaMax() : training[training.length - 1];
    double[] sigmas = KarrasSigmas.sigmas(steps, sigmaMin, sigmaMax);
    // Unlike DPM-Solver, UniPC rounds on every schedule and its sigma_min final sigma is the last Karras sigma.
    float last = config.finalSigmasType().equals("zero") ? 0f : (float) sigmas[sigmas.length - 1];
    return SigmaSchedule.of(KarrasSigmas.timesteps(sigmas, training, true), sigmas, last);
  }

  @Override
  protected void onNewRun() {
    hasLastSample = false;
    thisOrder = 0;
  }

  @Override
  public void step(float[] modelOutput, int timestep, float[] sample, NoiseSource noise, float[] prevOut, float[] x0Out) {
    int n = beginStep(timestep, sample.length);
    if (lastSample == null || lastSample.length != sample.length) {
      lastSample = new float[sample.length];
      corrected = new float[sample.length];
      converted = new float[sample.length];
    }
    boolean useCorrector = stepIndex > 0 && !config.correctorDisabledAt(stepIndex - 1) && hasLastSample;
    float[] x0 = converted;
    convert(modelOutput, sample, x0);
    if (x0Out != null) {
      System.arraycopy(x0, 0, x0Out, 0, x0.length);
    }
    float[] current = sample;
    if (useCorrector) {
      corrector(x0, lastSample, sample, thisOrder, corrected);
      current = corrected;
    }
    System.arraycopy(x0, 0, history.push(), 0, x0.length);
    thisOrder = config.lowerOrderFinal() ? Math.min(config.solverOrder(), n - stepIndex) : config.solverOrder();
    thisOrder = Math.min(thisOrder, lowerOrderNums + 1);
    System.arraycopy(current, 0, lastSample, 0, current.length);
    hasLastSample = true;
    predictor(lastSample, thisOrder, prevOut);
    endStep();
  }

  private void convert(float[] m, float[] sample, float[] out) {
    float sigma = run.sigmas()[stepIndex];
    float alphaT = SigmaSchedule.alpha(sigma);
    float sigmaT = sigma * alphaT;
    PredictionType prediction = schedule.predictionType();
    for (int i = 0; i < m.length; i++) {
      out[i] = switch (prediction) {
        case EPSILON -> (sample[i] - sigmaT * m[i]) / alphaT;
        case SAMPLE -> m[i];
        case V_PREDICTION -> alphaT * sample[i] - sigmaT * m[i];
      };
    }
  }

  /**
   * Fills r and b for {@code order} (UniPC Algorithm 1 and eq. 4-5) and returns h_phi_1 and B(h) in
   * {@code out2}. Computed in float32, as diffusers does on torch tensors, so the small-h cancellations
   * round the same way.
   */
  private void coefficients(int order, float hh, double[] out2) {
    float hPhi1 = (float) Math.expm1(hh);
    float hPhiK = hPhi1 / hh - 1f;
    float bh = config.solverType().equals("bh1") && Float.isFinite(hh) ? hh : (float) Math.expm1(hh);
    int factorial = 1;
    for (int i = 1; i <= order; i++) {
      for (int k = 0; k < order; k++) {
        r[i - 1][k] = (float) Math.pow((float) rks[k], i - 1);
      }
      b[i - 1] = hPhiK * factorial / bh;
      factorial *= i + 1;
      hPhiK = hPhiK / hh - 1f / factorial;
    }
    out2[0] = hPhi1;
    out2[1] = bh;
  }

  private final double[] phi = new double[2];

  /** UniP-p (bh variants), data prediction. */
  private void predictor(float[] x, int order, float[] out) {
    float[] s = run.sigmas();
    float alphaT = SigmaSchedule.alpha(s[stepIndex + 1]);
    float sigmaT = s[stepIndex + 1] * alphaT;
    float alphaS0 = SigmaSchedule.alpha(s[stepIndex]);
    float sigmaS0 = s[stepIndex] * alphaS0;
    float lambdaS0 = SigmaSchedule.lambda(s[stepIndex]);
    float h = SigmaSchedule.lambda(s[stepIndex + 1]) - lambdaS0;
    for (int i = 1; i < order; i++) {
      rks[i - 1] = (SigmaSchedule.lambda(s[stepIndex - i]) - lambdaS0) / h;
    }
    rks[order - 1] = 1.0;
    coefficients(order, -h, phi);
    // At a zero final sigma h is infinite and every residual's rk is 0 (diffusers: NaN); the limit is first order.
    int residuals = Float.isFinite(h) ? order - 1 : 0;
    if (residuals == 1) {
      rhos[0] = 0.5;
    } else if (residuals > 1) {
      solve(residuals, rhos);
    }
    float a = sigmaT / sigmaS0;
    float c0 = (float) (alphaT * phi[0]);
    float cb = (float) (alphaT * phi[1]);
    float[] m0 = history.get(1);
    for (int p = 0; p < out.length; p++) {
      float xt = a * x[p] - c0 * m0[p];
      if (residuals > 0) {
        double res = 0;
        for (int k = 0; k < residuals; k++) {
          res += rhos[k] * ((history.get(k + 2)[p] - m0[p]) / rks[k]);
        }
        xt -= cb * (float) res;
      }
      out[p] = xt;
    }
  }

  /** UniC (bh variants), data prediction: corrects the sample the last predictor produced. */
  private void corrector(float[] modelT, float[] x, float[] xt, int order, float[] out) {
    float[] s = run.sigmas();
    float alphaT = SigmaSchedule.alpha(s[stepIndex]);
    float sigmaT = s[stepIndex] * alphaT;
    float alphaS0 = SigmaSchedule.alpha(s[stepIndex - 1]);
    float sigmaS0 = s[stepIndex - 1] * alphaS0;
    float lambdaS0 = SigmaSchedule.lambda(s[stepIndex - 1]);
    float h = SigmaSchedule.lambda(s[stepIndex]) - lambdaS0;
    for (int i = 1; i < order; i++) {
      rks[i - 1] = (SigmaSchedule.lambda(s[stepIndex - (i + 1)]) - lambdaS0) / h;
    }
    rks[order - 1] = 1.0;
    coefficients(order, -h, phi);
    if (order == 1) {
      rhos[0] = 0.5;
    } else {
      solve(order, rhos);
    }
    float a = sigmaT / sigmaS0;
    float c0 = (float) (alphaT * phi[0]);
    float cb = (float) (alphaT * phi[1]);
    float[] m0 = history.get(1);
    for (int p = 0; p < out.length; p++) {
      double res = 0;
      for (int k = 0; k < order - 1; k++) {
        res += rhos[k] * ((history.get(k + 2)[p] - m0[p]) / rks[k]);
      }
      res += rhos[order - 1] * (modelT[p] - m0[p]);
      out[p] = a * x[p] - c0 * m0[p] - cb * (float) res;
    }
  }

  /**
   * Solves r[0..n) x = b[0..n) by LU with partial pivoting in double (torch.linalg.solve runs LAPACK in
   * float32; at ~1000 steps the system is nearly singular and double is the closer answer).
   */
  private void solve(int n, double[] x) {
    double[][] a = lu;
    double[] y = rhs;
    for (int i = 0; i < n; i++) {
      System.arraycopy(r[i], 0, a[i], 0, n);
      y[i] = b[i];
    }
    for (int col = 0; col < n; col++) {
      int pivot = col;
      for (int row = col + 1; row < n; row++) {
        if (Math.abs(a[row][col]) > Math.abs(a[pivot][col])) {
          pivot = row;
        }
      }
      double[] tmp = a[col];
      a[col] = a[pivot];
      a[pivot] = tmp;
      double ty = y[col];
      y[col] = y[pivot];
      y[pivot] = ty;
      double reciprocal = 1 / a[col][col];
      for (int row = col + 1; row < n; row++) {
        a[row][col] *= reciprocal;
      }
      for (int row = col + 1; row < n; row++) {
        for (int k = col + 1; k < n; k++) {
          a[row][k] -= a[row][col] * a[col][k];
        }
      }
    }
    for (int col = 0; col < n; col++) {
      for (int row = col + 1; row < n; row++) {
        y[row] -= y[col] * a[row][col];
      }
    }
    for (int col = n - 1; col >= 0; col--) {
      y[col] /= a[col][col];
      for (int row = 0; row < col; row++) {
        y[row] -= y[col] * a[row][col];
      }
    }
    for (int i = 0; i < n; i++) {
      x[i] = y[i];
    }
  }

}
