package org.pgdiffseg.sdk.noise;

import static com.google.common.base.Preconditions.checkState;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/** Reads the torch.randn fixtures written by conformance/python/gen_noise_fixtures.py. */
final class NoiseFixtures {
  private static final String ROOT = "/noise/";

  /** One seeded generator and the consecutive randn calls made on it, with their concatenated output. */
  record Case(String name, long seed, boolean defaultGenerator, int[] calls, TorchCpuKernel kernel) {
    float[] expected() {
      return readFloat32Npy(ROOT + name + ".npy");
    }

    @Override
    public String toString() {
      return name;
    }
  }

  private NoiseFixtures() {}

  static List<Case> cases() {
    JsonNode index;
    try (InputStream in = open(ROOT + "index.json")) {
      index = new ObjectMapper().readTree(in);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    List<Case> cases = new ArrayList<>();
    for (JsonNode c : index.get("cases")) {
      int[] calls = new int[c.get("calls").size()];
      for (int i = 0; i < calls.length; i++) {
        calls[i] = c.get("calls").get(i).asInt();
      }
      TorchCpuKernel kernel =
          c.get("cpu_capability").asText().equals("AVX2") ? TorchCpuKernel.AVX2 : TorchCpuKernel.PORTABLE;
      cases.add(new Case(
          c.get("name").asText(),
          // Seeds are written as unsigned 64-bit decimals.
          Long.parseUnsignedLong(c.get("seed").asText()),
          c.get("generator").asText().equals("default"),
          calls,
          kernel));
    }
    return List.copyOf(cases);
  }

  /** A 1-D little-endian float32 .npy array (format version 1). */
  static float[] readFloat32Npy(String resource) {
    byte[] bytes;
    try (InputStream in = open(resource)) {
      bytes = in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    checkState(bytes[0] == (byte) 0x93 && bytes[6] == 1, "%s: not a version 1 .npy file", resource);
    int headerLength = (bytes[8] & 0xff) | ((bytes[9] & 0xff) << 8);
    String header = new String(bytes, 10, headerLength, StandardCharsets.US_ASCII);
    checkState(header.contains("'descr': '<f4'") && header.contains("'fortran_order': False"),
        "%s: expected a C-ordered <f4 array, header %s", resource, header);
    int dataStart = 10 + headerLength;
    float[] values = new float[(bytes.length - dataStart) / Float.BYTES];
    ByteBuffer.wrap(bytes, dataStart, bytes.length - dataStart)
        .order(ByteOrder.LITTLE_ENDIAN)
        .asFloatBuffer()
        .get(values);
    return values;
  }

  private static InputStream open(String resource) throws IOException {
    InputStream in = NoiseFixtures.class.getResourceAsStream(resource);
    if (in == null) {
      throw new IOException("missing test resource " + resource);
    }
    return in;
  }
}
