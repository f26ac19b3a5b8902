package org.pgdiffseg.sdk.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.pgdiffseg.sdk.BundleException;
import org.pgdiffseg.sdk.InferenceException;
import org.pgdiffseg.sdk.runtime.TestGraphs.Reference;
import org.pgdiffseg.sdk.testing.HeapAllocations;

class DiffusionGraphsTest {
  private static final float TOLERANCE = 1e-5f;

  private DiffusionGraphs graphs;

  @BeforeEach
  void open() throws BundleException {
    graphs = DiffusionGraphs.open(OrtRuntime.shared(), TestGraphs.prior(), TestGraphs.denoiser(),
        SessionConfig.defaults());
  }

  @AfterEach
  void close() {
    graphs.close();
  }

  @Test
  void readsShapesFromTheGraphs() {
    assertThat(graphs.imageShape()).containsExactly(TestGraphs.HEIGHT, TestGraphs.WIDTH);
    assertThat(graphs.classCount()).isEqualTo(TestGraphs.CLASSES);
    assertThat(graphs.coarseMaskShape()).containsExactly(TestGraphs.COARSE, TestGraphs.COARSE);
    assertThat(graphs.device()).isEqualTo(graphs.priorSession().device());
    assertThat(graphs.priorSession().output("prior").orElseThrow().shape())
        .containsExactly(TensorSpec.DYNAMIC, 8L, 8L, 8L);
  }

  @ParameterizedTest
  @ValueSource(ints = {1, 4})
  void matchesOnnxRuntimePython(int batch) throws InferenceException {
    Reference reference = Reference.load(batch);
    float[] logits = new float[batch * TestGraphs.CLASSES];
    float[] coarse = new float[batch * TestGraphs.COARSE * TestGraphs.COARSE];
    float[] eps = new float[batch * TestGraphs.HEIGHT * TestGraphs.WIDTH];

    graphs.conditionOn(reference.image(), batch, logits, coarse);
    graphs.denoise(reference.xt(), reference.t(), eps);

    assertClose(logits, reference.classLogits());
    assertClose(coarse, reference.coarseMask());
    assertClose(eps, reference.eps());
  }

  @Test
  void switchesBatchSizeAndBack() throws InferenceException {
    for (int batch : new int[] {4, 1, 4}) {
      Reference reference = Reference.load(batch);
      float[] eps = new float[reference.eps().length];
      graphs.conditionOn(reference.image(), batch, new float[reference.classLogits().length],
          new float[reference.coarseMask().length]);
      graphs.denoise(reference.xt(), reference.t(), eps);
      assertClose(eps, reference.eps());
    }
  }

  @Test
  void repeatedStepsGiveTheSameEps() throws InferenceException {
    Reference reference = Reference.load(4);
    conditionOn(reference);
    float[] eps = new float[reference.eps().length];
    for (int step = 0; step < 3; step++) {
      Arrays.fill(eps, Float.NaN);
      graphs.denoise(reference.xt(), reference.t(), eps);
      assertClose(eps, reference.eps());
    }
  }

  @Test
  void denoiseAllocatesNothingOnTheJavaHeapAfterWarmUp() throws Exception {
    Reference reference = Reference.load(4);
    conditionOn(reference);
    float[] eps = new float[reference.eps().length];
    for (int i = 0; i < 200; i++) {
      graphs.denoise(reference.xt(), reference.t(), eps);
    }
    // Rounds of 50 calls: until the JIT has compiled the call path the foreign-call adapters allocate.
    long allocated = HeapAllocations.untilNoneAllocated(40, () -> {
      long before = HeapAllocations.sinceThreadStart();
      for (int i = 0; i < 50; i++) {
        graphs.denoise(reference.xt(), reference.t(), eps);
      }
      return HeapAllocations.sinceThreadStart() - before;
    });

    assertThat(allocated).as("Java heap bytes allocated by 50 denoise() calls").isZero();
    assertClose(eps, reference.eps());
  }

  @Test
  void wrongBufferSizesAreRejected() throws InferenceException {
    Reference reference = Reference.load(1);
    float[] logits = new float[TestGraphs.CLASSES];
    float[] coarse = new float[TestGraphs.COARSE * TestGraphs.COARSE];
    assertThatThrownBy(() -> graphs.conditionOn(new float[10], 1, logits, coarse))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("image").hasMessageContaining("256");
    assertThatThrownBy(() -> graphs.conditionOn(reference.image(), 1, new float[2], coarse))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("classLogitsOut");
    assertThatThrownBy(() -> graphs.conditionOn(reference.image(), 0, logits, coarse))
        .isInstanceOf(IllegalArgumentException.class);

    graphs.conditionOn(reference.image(), 1, logits, coarse);
    float[] eps = new float[TestGraphs.HEIGHT * TestGraphs.WIDTH];
    assertThatThrownBy(() -> graphs.denoise(new float[4 * 256], reference.t(), eps))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("xt");
    assertThatThrownBy(() -> graphs.denoise(reference.xt(), new float[2], eps))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("t must hold 1");
    assertThatThrownBy(() -> graphs.denoise(reference.xt(), reference.t(), new float[3]))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("epsOut");
  }

  @ParameterizedTest
  @ValueSource(ints = {1, 4})
  void priorOutputsBetweenStepsLeaveTheDenoiserOnItsOwnPrior(int sideBatch) throws InferenceException {
    Reference reference = Reference.load(1);   // the denoiser's batch of 1 shares its size with a side batch of 1
    Reference other = Reference.load(4);
    conditionOn(reference);
    float[] eps = new float[reference.eps().length];
    graphs.denoise(reference.xt(), reference.t(), eps);
    float[] image = Arrays.copyOf(other.image(), sideBatch * TestGraphs.HEIGHT * TestGraphs.WIDTH);
    float[] logits = new float[sideBatch * TestGraphs.CLASSES];
    float[] coarse = new float[sideBatch * TestGraphs.COARSE * TestGraphs.COARSE];

    graphs.priorOutputs(image, sideBatch, logits, coarse);

    assertClose(logits, Arrays.copyOf(other.classLogits(), logits.length));
    assertClose(coarse, Arrays.copyOf(other.coarseMask(), coarse.length));
    Arrays.fill(eps, Float.NaN);
    graphs.denoise(reference.xt(), reference.t(), eps);
    assertClose(eps, reference.eps());
    assertThatThrownBy(() -> graphs.priorOutputs(new float[10], 1, new float[TestGraphs.CLASSES], coarse))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("image");
    assertThatThrownBy(() -> graphs.priorOutputs(image, 0, logits, coarse))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void denoiseBeforeConditionOnIsAnError() {
    assertThatThrownBy(() -> graphs.denoise(new float[256], new float[1], new float[256]))
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("conditionOn");
  }

  @Test
  void onnxRuntimeFailureKeepsItsErrorCode() throws BundleException {
    Path brokenPrior = TestGraphs.resource("prior_fixed_batch.onnx");
    try (DiffusionGraphs broken = DiffusionGraphs.open(OrtRuntime.shared(), brokenPrior, TestGraphs.denoiser(),
        SessionConfig.cpuOnly())) {
      Reference reference = Reference.load(4);
      assertThatThrownBy(() -> broken.conditionOn(reference.image(), 4, new float[4 * TestGraphs.CLASSES],
          new float[4 * 64]))
          .isInstanceOfSatisfying(InferenceException.class, e -> {
            assertThat(e.ortErrorCode()).isPresent();
            assertThat(e.ortErrorCode().getAsInt()).isPositive();
            assertThat(e.getMessage()).contains("RunWithBinding").contains("prior_fixed_batch.onnx").contains("(OrtErrorCode ");
          });
      // The failed call leaves nothing conditioned.
      assertThatThrownBy(() -> broken.denoise(new float[4 * 256], new float[4], new float[4 * 256]))
          .isInstanceOf(IllegalStateException.class);
    }
  }

  @Test
  void contractMismatchIsABundleError() {
    Path withoutT = TestGraphs.resource("denoiser_without_t.onnx");
    assertThatThrownBy(() -> DiffusionGraphs.open(OrtRuntime.shared(), TestGraphs.prior(), withoutT,
        SessionConfig.cpuOnly()))
        .isInstanceOf(BundleException.class)
        .hasMessageContaining("denoiser_without_t.onnx")
        .hasMessageContaining("input 't' missing");
  }

  @Test
  void missingGraphFileIsABundleError(@org.junit.jupiter.api.io.TempDir Path dir) {
    assertThatThrownBy(() -> DiffusionGraphs.open(OrtRuntime.shared(), dir.resolve("prior.onnx"),
        TestGraphs.denoiser(), SessionConfig.cpuOnly()))
        .isInstanceOf(BundleException.class).hasMessageContaining("prior.onnx");
  }

  @Test
  void closeIsIdempotentAndUseAfterCloseFails() throws InferenceException {
    Reference reference = Reference.load(1);
    conditionOn(reference);
    GraphSession prior = graphs.priorSession();
    graphs.close();
    graphs.close();

    assertThatThrownBy(() -> graphs.denoise(reference.xt(), reference.t(), new float[256]))
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("closed");
    assertThatThrownBy(() -> graphs.conditionOn(reference.image(), 1, new float[3], new float[64]))
        .isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(graphs::imageShape).isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(prior::inputs).isInstanceOf(IllegalStateException.class);
  }

  private void conditionOn(Reference reference) throws InferenceException {
    graphs.conditionOn(reference.image(), reference.batch(), new float[reference.classLogits().length],
        new float[reference.coarseMask().length]);
  }

  private static void assertClose(float[] actual, float[] expected) {
    assertThat(actual).hasSameSizeAs(expected);
    for (int i = 0; i < expected.length; i++) {
      assertThat(actual[i]).as("element %d", i).isCloseTo(expected[i], within(TOLERANCE));
    }
  }
}
