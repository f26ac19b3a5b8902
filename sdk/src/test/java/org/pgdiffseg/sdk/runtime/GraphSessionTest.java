package org.pgdiffseg.sdk.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.pgdiffseg.sdk.BundleException;

class GraphSessionTest {
  @Test
  void exposesTheGraphsOwnMetadata() throws BundleException {
    try (GraphSession session = OrtRuntime.shared().openSession(TestGraphs.denoiser(), SessionConfig.cpuOnly())) {
      assertThat(session.inputs()).extracting(TensorSpec::name).containsExactly("x_t", "image", "t", "prior");
      assertThat(session.input("t").orElseThrow())
          .isEqualTo(new TensorSpec("t", List.of(TensorSpec.DYNAMIC), ElementType.FLOAT32));
      TensorSpec eps = session.output("eps").orElseThrow();
      assertThat(eps.shape()).containsExactly(-1L, 1L, 16L, 16L);
      assertThat(eps.isDynamic(0)).isTrue();
      assertThat(eps.isDynamic(2)).isFalse();
      assertThat(eps.toString()).isEqualTo("eps [N,1,16,16] float32");
      assertThat(session.input("missing")).isEmpty();
      assertThat(session.path()).isEqualTo(TestGraphs.denoiser());
    }
  }

  @Test
  void closeIsIdempotentAndUseAfterCloseFails() throws BundleException {
    GraphSession session = OrtRuntime.shared().openSession(TestGraphs.prior(), SessionConfig.cpuOnly());
    session.close();
    session.close();
    assertThatThrownBy(session::inputs).isInstanceOf(IllegalStateException.class).hasMessageContaining("closed");
    assertThatThrownBy(session::device).isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(() -> new IoBinding(session)).isInstanceOf(IllegalStateException.class);
  }
}
