package org.pgdiffseg.benchmarks;

import java.nio.file.Path;
import java.util.Arrays;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.pgdiffseg.sdk.PgDiffSegException;
import org.pgdiffseg.sdk.bundle.BundleManifest;
import org.pgdiffseg.sdk.bundle.ModelBundle;
import org.pgdiffseg.sdk.runtime.DiffusionGraphs;
import org.pgdiffseg.sdk.runtime.OrtRuntime;
import org.pgdiffseg.sdk.runtime.SessionConfig;

/**
 * One denoiser call through the SDK's I/O binding: x_t and t copied in, eps copied out, image and prior
 * bound once. The tiny test bundle's graph (32 x 32) does 6.4 MFLOP, so its figure is the fixed cost of one call
 * (binding, copies, ONNX Runtime's dispatch of each node); on the default bundle it is a real step.
 */
@State(Scope.Thread)
public class DenoiserCallBenchmark extends HotPathBenchmark {
  /** Bundle folders relative to the directory JMH runs in (the repository root). */
  @Param({"zoo/models/pgdiffseg-tiny-test", "zoo/models/pgdiffseg-busi-128"})
  public String bundle;

  @Param({"1", "5"})
  public int batch;

  private DiffusionGraphs graphs;
  private float[] xt;
  private float[] t;
  private float[] eps;

  @Setup
  public void setUp() throws PgDiffSegException {
    ModelBundle opened = ModelBundle.open(Path.of(bundle));
    graphs = DiffusionGraphs.open(OrtRuntime.shared(), opened.graphPath(BundleManifest.PRIOR),
        opened.graphPath(BundleManifest.DENOISER), SessionConfig.cpuOnly());
    int[] hw = graphs.imageShape();
    int pixels = batch * hw[0] * hw[1];
    int[] coarse = graphs.coarseMaskShape();
    xt = new float[pixels];
    eps = new float[pixels];
    t = new float[batch];
    Arrays.fill(t, 500f);
    graphs.conditionOn(new float[pixels], batch, new float[batch * graphs.classCount()],
        new float[batch * coarse[0] * coarse[1]]);
  }

  @Benchmark
  public float[] denoise() throws PgDiffSegException {
    graphs.denoise(xt, t, eps);
    return eps;
  }

  @TearDown
  public void tearDown() {
    graphs.close();
  }
}
