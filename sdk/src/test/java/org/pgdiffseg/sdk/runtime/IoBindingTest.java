package org.pgdiffseg.sdk.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import java.nio.FloatBuffer;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.pgdiffseg.sdk.InferenceException;
import org.pgdiffseg.sdk.runtime.TestGraphs.Reference;

/** The raw C API binding against the plain Java API on the same inputs. */
class IoBindingTest {
  private static final float TOLERANCE = 1e-6f;

  @Test
  void boundRunMatchesJavaApiRun() throws Exception {
    Reference reference = Reference.load(4);
    OrtCApi api = OrtCApi.get();
    OrtEnvironment env = OrtEnvironment.getEnvironment();
    try (GraphSession session = OrtRuntime.shared().openSession(TestGraphs.denoiser(), SessionConfig.cpuOnly());
        MemoryInfo cpu = MemoryInfo.cpu(api);
        NativeTensor xt = NativeTensor.allocate(api, cpu, 4, 1, 16, 16);
        NativeTensor image = NativeTensor.allocate(api, cpu, 4, 1, 16, 16);
        NativeTensor t = NativeTensor.allocate(api, cpu, 4);
        NativeTensor prior = NativeTensor.allocate(api, cpu, 4, 8, 8, 8);
        NativeTensor eps = NativeTensor.allocate(api, cpu, 4, 1, 16, 16);
        IoBinding binding = new IoBinding(session);
        OnnxTensor jxt = OnnxTensor.createTensor(env, FloatBuffer.wrap(reference.xt()), new long[] {4, 1, 16, 16});
        OnnxTensor jimage = OnnxTensor.createTensor(env, FloatBuffer.wrap(reference.image()), new long[] {4, 1, 16, 16});
        OnnxTensor jt = OnnxTensor.createTensor(env, FloatBuffer.wrap(reference.t()), new long[] {4});
        OnnxTensor jprior = OnnxTensor.createTensor(env, FloatBuffer.wrap(reference.prior()), new long[] {4, 8, 8, 8});
        OrtSession.Result result = session.ortSession().run(Map.of("x_t", jxt, "image", jimage, "t", jt,
            "prior", jprior))) {
      xt.write(reference.xt());
      image.write(reference.image());
      t.write(reference.t());
      prior.write(reference.prior());
      binding.bindInput("x_t", xt);
      binding.bindInput("image", image);
      binding.bindInput("t", t);
      binding.bindInput("prior", prior);
      binding.bindOutput("eps", eps);
      binding.synchronizeInputs();
      binding.run();
      binding.synchronizeOutputs();

      float[] bound = new float[4 * 256];
      eps.read(bound);
      float[] plain = new float[4 * 256];
      ((OnnxTensor) result.get("eps").orElseThrow()).getFloatBuffer().get(plain);
      for (int i = 0; i < plain.length; i++) {
        assertThat(bound[i]).as("eps[%d]", i).isCloseTo(plain[i], within(TOLERANCE));
        assertThat(bound[i]).as("eps[%d] vs Python", i).isCloseTo(reference.eps()[i], within(1e-5f));
      }
    }
  }

  /** The mechanics of the CUDA path (output allocated by ORT, fetched, bound onward), on host memory. */
  @Test
  void outputBoundToDeviceIsFetchedAndBoundOnward() throws Exception {
    Reference reference = Reference.load(1);
    OrtCApi api = OrtCApi.get();
    try (GraphSession priorSession = OrtRuntime.shared().openSession(TestGraphs.prior(), SessionConfig.cpuOnly());
        GraphSession denoiserSession = OrtRuntime.shared().openSession(TestGraphs.denoiser(), SessionConfig.cpuOnly());
        MemoryInfo cpu = MemoryInfo.cpu(api);
        SessionAllocator allocator = new SessionAllocator(api, priorSession.nativeSession(), cpu);
        NativeTensor image = NativeTensor.allocate(api, cpu, 1, 1, 16, 16);
        NativeTensor xt = NativeTensor.allocate(api, cpu, 1, 1, 16, 16);
        NativeTensor t = NativeTensor.allocate(api, cpu, 1);
        NativeTensor eps = NativeTensor.allocate(api, cpu, 1, 1, 16, 16);
        IoBinding priorBinding = new IoBinding(priorSession);
        IoBinding denoiserBinding = new IoBinding(denoiserSession)) {
      image.write(reference.image());
      priorBinding.bindInput("image", image);
      priorBinding.bindOutputToDevice("prior", cpu);
      priorBinding.run();
      priorBinding.synchronizeOutputs();
      List<OrtValueRef> outputs = priorBinding.boundOutputValues(allocator);
      assertThat(outputs).hasSize(1);
      try (OrtValueRef prior = outputs.getFirst()) {
        xt.write(reference.xt());
        t.write(reference.t());
        denoiserBinding.bindInput("x_t", xt);
        denoiserBinding.bindInput("image", image);
        denoiserBinding.bindInput("t", t);
        denoiserBinding.bindInput("prior", prior.handle());
        denoiserBinding.bindOutput("eps", eps);
        denoiserBinding.run();
      }
      float[] result = new float[256];
      eps.read(result);
      for (int i = 0; i < result.length; i++) {
        assertThat(result[i]).as("eps[%d]", i).isCloseTo(reference.eps()[i], within(1e-5f));
      }
    }
  }

  @Test
  void unknownInputNameIsAnInferenceExceptionWithOrtCode() throws Exception {
    OrtCApi api = OrtCApi.get();
    try (GraphSession session = OrtRuntime.shared().openSession(TestGraphs.denoiser(), SessionConfig.cpuOnly());
        MemoryInfo cpu = MemoryInfo.cpu(api);
        NativeTensor xt = NativeTensor.allocate(api, cpu, 1, 1, 16, 16);
        IoBinding binding = new IoBinding(session)) {
      assertThatThrownBy(() -> binding.bindInput("no_such_input", xt))
          .isInstanceOfSatisfying(InferenceException.class, e -> {
            assertThat(e.ortError()).hasValue(org.pgdiffseg.sdk.OrtErrorCode.FAIL); // ONNX Runtime reports an unknown name as a failure
            assertThat(e.getMessage()).contains("BindInput(no_such_input)");
          });
    }
  }

  @Test
  void runWithMissingInputsFailsWithOrtCode() throws Exception {
    try (GraphSession session = OrtRuntime.shared().openSession(TestGraphs.denoiser(), SessionConfig.cpuOnly());
        IoBinding binding = new IoBinding(session)) {
      assertThatThrownBy(binding::run)
          .isInstanceOfSatisfying(InferenceException.class, e -> assertThat(e.ortErrorCode()).isPresent());
    }
  }

  @Test
  void closeIsIdempotentAndUseAfterCloseFails() throws Exception {
    OrtCApi api = OrtCApi.get();
    try (GraphSession session = OrtRuntime.shared().openSession(TestGraphs.denoiser(), SessionConfig.cpuOnly());
        MemoryInfo cpu = MemoryInfo.cpu(api)) {
      NativeTensor tensor = NativeTensor.allocate(api, cpu, 1, 1, 16, 16);
      IoBinding binding = new IoBinding(session);
      binding.close();
      binding.close();
      tensor.close();
      tensor.close();
      assertThatThrownBy(() -> binding.bindInput("x_t", tensor)).isInstanceOf(IllegalStateException.class);
      assertThatThrownBy(() -> tensor.write(new float[256])).isInstanceOf(IllegalStateException.class);
    }
  }

  @Test
  void nativeTensorRejectsWrongLengths() throws Exception {
    OrtCApi api = OrtCApi.get();
    try (MemoryInfo cpu = MemoryInfo.cpu(api); NativeTensor tensor = NativeTensor.allocate(api, cpu, 2, 3)) {
      assertThatThrownBy(() -> tensor.write(new float[5])).isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("expected 6");
      assertThatThrownBy(() -> tensor.read(new float[7])).isInstanceOf(IllegalArgumentException.class);
      assertThatThrownBy(() -> NativeTensor.allocate(api, cpu, 2, -1)).isInstanceOf(IllegalArgumentException.class);
    }
  }

  @Test
  void cApiReportsTheJarsVersion() {
    assertThat(OrtCApi.get().version()).isEqualTo(OrtEnvironment.getEnvironment().getVersion()).isEqualTo("1.29.0");
  }
}
