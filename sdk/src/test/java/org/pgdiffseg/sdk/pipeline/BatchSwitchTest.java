package org.pgdiffseg.sdk.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.pgdiffseg.sdk.bundle.BundleManifest;
import org.pgdiffseg.sdk.bundle.ModelBundle;
import org.pgdiffseg.sdk.bundle.TestBundles;
import org.pgdiffseg.sdk.runtime.DiffusionGraphs;
import org.pgdiffseg.sdk.runtime.OrtRuntime;
import org.pgdiffseg.sdk.runtime.SessionConfig;

/** Rows of a batch are independent: K identical inputs give K identical outputs, after any earlier batch size. */
class BatchSwitchTest {
  @Test
  void identicalRowsGiveIdenticalEpsAfterABatchSizeChange() throws Exception {
    ModelBundle bundle = ModelBundle.open(TestBundles.tiny());
    try (DiffusionGraphs graphs = DiffusionGraphs.open(OrtRuntime.shared(), bundle.graphPath(BundleManifest.PRIOR),
        bundle.graphPath(BundleManifest.DENOISER), SessionConfig.cpuOnly())) {
      int n = 32 * 32;
      float[] one = new float[n];
      for (int i = 0; i < n; i++) {
        one[i] = (float) Math.sin(i * 0.3);
      }
      float[] eps1 = run(graphs, one, 1);
      for (int k : new int[] {2, 3, 1, 2}) {
        float[] epsK = run(graphs, one, k);
        for (int row = 0; row < k; row++) {
          float worst = 0;
          for (int i = 0; i < n; i++) {
            worst = Math.max(worst, Math.abs(epsK[row * n + i] - eps1[i]));
          }
          assertThat(worst).as("batch %s row %s", k, row).isLessThan(1e-5f);
        }
      }
    }
  }

  static float[] run(DiffusionGraphs graphs, float[] one, int k) throws Exception {
    int n = one.length;
    float[] image = new float[k * n];
    float[] xt = new float[k * n];
    for (int r = 0; r < k; r++) {
      System.arraycopy(one, 0, image, r * n, n);
      for (int i = 0; i < n; i++) {
        xt[r * n + i] = (float) Math.cos(i * 0.7);
      }
    }
    int[] coarse = graphs.coarseMaskShape();
    graphs.conditionOn(image, k, new float[k * graphs.classCount()], new float[k * coarse[0] * coarse[1]]);
    float[] t = new float[k];
    java.util.Arrays.fill(t, 500f);
    float[] eps = new float[k * n];
    graphs.denoise(xt, t, eps);
    return eps;
  }
}
