package org.pgdiffseg.sdk.runtime;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Path;

/** The committed test graphs and reference outputs (made by src/test/python/make_runtime_test_graphs.py). */
final class TestGraphs {
  static final int HEIGHT = 16;
  static final int WIDTH = 16;
  static final int PRIOR_CHANNELS = 8;
  static final int CLASSES = 3;
  static final int COARSE = 8;

  private TestGraphs() {}

  static Path resource(String name) {
    URL url = TestGraphs.class.getResource("/runtime/" + name);
    if (url == null) {
      throw new IllegalStateException("missing test resource runtime/" + name);
    }
    try {
      return Path.of(url.toURI());
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }

  static Path prior() {
    return resource("prior.onnx");
  }

  static Path denoiser() {
    return resource("denoiser.onnx");
  }

  /** Inputs and ONNX Runtime (Python, CPU) outputs for one batch size. */
  record Reference(int batch, float[] image, float[] xt, float[] t, float[] prior, float[] classLogits,
      float[] coarseMask, float[] eps) {

    static Reference load(int batch) {
      try {
        JsonNode root = new ObjectMapper().readTree(resource("reference_b" + batch + ".json").toFile());
        return new Reference(root.get("batch").asInt(), floats(root, "image"), floats(root, "x_t"), floats(root, "t"),
            floats(root, "prior"), floats(root, "class_logits"), floats(root, "coarse_mask"), floats(root, "eps"));
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }

    private static float[] floats(JsonNode root, String field) {
      JsonNode array = root.get(field);
      float[] values = new float[array.size()];
      for (int i = 0; i < values.length; i++) {
        values[i] = (float) array.get(i).asDouble();
      }
      return values;
    }
  }
}
