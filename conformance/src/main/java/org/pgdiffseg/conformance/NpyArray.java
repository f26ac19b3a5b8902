package org.pgdiffseg.conformance;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** A NumPy .npy array as the fixture generators write them: little-endian float32 or int64, C order. */
public record NpyArray(long[] shape, String dtype, ByteBuffer data) {
  private static final Pattern DESCR = Pattern.compile("'descr':\\s*'([^']+)'");
  private static final Pattern SHAPE = Pattern.compile("'shape':\\s*\\(([^)]*)\\)");

  public static NpyArray read(Path file) throws IOException {
    byte[] bytes = Files.readAllBytes(file);
    if (bytes.length < 12 || bytes[0] != (byte) 0x93 || bytes[1] != 'N') {
      throw new IOException(file + ": not a .npy file");
    }
    ByteBuffer buffer = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
    int major = bytes[6];
    int headerLength = major == 1 ? buffer.getShort(8) & 0xFFFF : buffer.getInt(8);
    int headerStart = major == 1 ? 10 : 12;
    String header = new String(bytes, headerStart, headerLength, StandardCharsets.ISO_8859_1);
    Matcher descr = DESCR.matcher(header);
    Matcher shape = SHAPE.matcher(header);
    if (header.contains("'fortran_order': True") || !descr.find() || !shape.find()) {
      throw new IOException(file + ": unsupported npy header " + header.trim());
    }
    long[] dims = Arrays.stream(shape.group(1).split(",")).map(String::trim).filter(s -> !s.isEmpty())
        .mapToLong(Long::parseLong).toArray();
    ByteBuffer data = ByteBuffer.wrap(bytes, headerStart + headerLength, bytes.length - headerStart - headerLength)
        .slice().order(ByteOrder.LITTLE_ENDIAN);
    return new NpyArray(dims, descr.group(1), data);
  }

  public float[] floats() {
    if (!dtype.equals("<f4")) {
      throw new IllegalStateException("dtype " + dtype + ", expected <f4");
    }
    float[] values = new float[data.remaining() / 4];
    data.duplicate().order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(values);
    return values;
  }

  public long[] longs() {
    if (!dtype.equals("<i8")) {
      throw new IllegalStateException("dtype " + dtype + ", expected <i8");
    }
    long[] values = new long[data.remaining() / 8];
    data.duplicate().order(ByteOrder.LITTLE_ENDIAN).asLongBuffer().get(values);
    return values;
  }
}
