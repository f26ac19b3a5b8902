package org.pgdiffseg.sdk.imaging;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Reads the .npy arrays the fixture generator writes: little-endian float32 or uint8, C order. */
record Npy(int[] shape, String dtype, ByteBuffer data) {
  private static final Pattern DESCR = Pattern.compile("'descr':\\s*'([^']+)'");
  private static final Pattern SHAPE = Pattern.compile("'shape':\\s*\\(([^)]*)\\)");

  static Npy read(Path file) throws IOException {
    byte[] bytes = Files.readAllBytes(file);
    ByteBuffer buffer = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
    int major = bytes[6];
    int headerLength = major == 1 ? buffer.getShort(8) & 0xFFFF : buffer.getInt(8);
    int headerStart = major == 1 ? 10 : 12;
    String header = new String(bytes, headerStart, headerLength, StandardCharsets.ISO_8859_1);
    if (header.contains("'fortran_order': True")) {
      throw new IOException(file + ": Fortran order not supported");
    }
    Matcher descr = DESCR.matcher(header);
    Matcher shape = SHAPE.matcher(header);
    if (!descr.find() || !shape.find()) {
      throw new IOException(file + ": unreadable npy header " + header);
    }
    int[] dims = Arrays.stream(shape.group(1).split(","))
        .map(String::trim).filter(s -> !s.isEmpty()).mapToInt(Integer::parseInt).toArray();
    ByteBuffer data = ByteBuffer.wrap(bytes, headerStart + headerLength, bytes.length - headerStart - headerLength)
        .slice().order(ByteOrder.LITTLE_ENDIAN);
    return new Npy(dims, descr.group(1), data);
  }

  float[] floats() {
    if (!dtype.equals("<f4")) {
      throw new IllegalStateException("dtype " + dtype + ", expected <f4");
    }
    float[] values = new float[data.remaining() / 4];
    data.asFloatBuffer().get(values);
    return values;
  }

  byte[] bytes() {
    if (!dtype.equals("|u1")) {
      throw new IllegalStateException("dtype " + dtype + ", expected |u1");
    }
    byte[] values = new byte[data.remaining()];
    data.duplicate().get(values);
    return values;
  }
}
