package org.pgdiffseg.sdk.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.pgdiffseg.sdk.runtime.TestGraphs.Reference;

/** One loaded model, many bindings: they run at once on the same sessions and match ONNX Runtime Python. */
class LoadedGraphsTest {
  @Test
  void bindingsShareTheSessionsAndRunConcurrently() throws Exception {
    Reference reference = Reference.load(4);
    try (LoadedGraphs model = LoadedGraphs.open(OrtRuntime.shared(), TestGraphs.prior(), TestGraphs.denoiser(),
        SessionConfig.defaults())) {
      List<DiffusionGraphs> bindings = new ArrayList<>();
      for (int i = 0; i < 4; i++) {
        bindings.add(model.bind());
      }
      assertThat(bindings).allSatisfy(b -> assertThat(b.priorSession()).isSameAs(model.priorSession()));
      ExecutorService pool = Executors.newFixedThreadPool(4);
      try {
        List<Future<float[]>> runs = new ArrayList<>();
        for (DiffusionGraphs b : bindings) {
          runs.add(pool.submit(() -> {
            float[] eps = new float[reference.eps().length];
            for (int repeat = 0; repeat < 20; repeat++) {
              b.conditionOn(reference.image(), 4, new float[reference.classLogits().length],
                  new float[reference.coarseMask().length]);
              b.denoise(reference.xt(), reference.t(), eps);
            }
            return eps;
          }));
        }
        for (Future<float[]> run : runs) {
          float[] eps = run.get();
          for (int i = 0; i < eps.length; i++) {
            assertThat(eps[i]).isCloseTo(reference.eps()[i], within(1e-5f));
          }
        }
      } finally {
        pool.shutdownNow();
      }
      bindings.get(0).close();   // a worker's bindings close without closing the shared sessions
      float[] eps = new float[reference.eps().length];
      bindings.get(1).conditionOn(reference.image(), 4, new float[reference.classLogits().length],
          new float[reference.coarseMask().length]);
      bindings.get(1).denoise(reference.xt(), reference.t(), eps);
      bindings.forEach(DiffusionGraphs::close);
    }
  }

  @Test
  void aClosedModelBindsNoMore() throws Exception {
    LoadedGraphs model = LoadedGraphs.open(OrtRuntime.shared(), TestGraphs.prior(), TestGraphs.denoiser(),
        SessionConfig.defaults());
    model.close();
    model.close();
    assertThatThrownBy(model::bind).isInstanceOf(IllegalStateException.class).hasMessageContaining("closed");
  }
}
