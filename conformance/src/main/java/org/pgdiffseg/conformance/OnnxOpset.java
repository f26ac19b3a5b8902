package org.pgdiffseg.conformance;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Reads the default-domain opset of an ONNX model from its protobuf (ModelProto.opset_import, field 8). */
final class OnnxOpset {
  private OnnxOpset() {}

  static long of(Path model) throws IOException {
    byte[] b = Files.readAllBytes(model);
    int[] pos = {0};
    while (pos[0] < b.length) {
      long key = varint(b, pos);
      int field = (int) (key >>> 3);
      int wire = (int) (key & 7);
      if (wire == 2) {
        int len = (int) varint(b, pos);
        if (field == 8) {
          long version = opsetVersion(b, pos[0], pos[0] + len);
          if (version >= 0) {
            return version;
          }
        }
        pos[0] += len;
      } else if (wire == 0) {
        varint(b, pos);
      } else if (wire == 1) {
        pos[0] += 8;
      } else if (wire == 5) {
        pos[0] += 4;
      } else {
        throw new IOException(model + ": not an ONNX model (protobuf wire type " + wire + ")");
      }
    }
    throw new IOException(model + ": no default-domain opset_import");
  }

  /** version of an OperatorSetIdProto whose domain is "" (or -1 for another domain). */
  private static long opsetVersion(byte[] b, int start, int end) throws IOException {
    int[] pos = {start};
    String domain = "";
    long version = -1;
    while (pos[0] < end) {
      long key = varint(b, pos);
      if ((key & 7) == 2) {
        int len = (int) varint(b, pos);
        if ((key >>> 3) == 1) {
          domain = new String(b, pos[0], len, java.nio.charset.StandardCharsets.UTF_8);
        }
        pos[0] += len;
      } else {
        long value = varint(b, pos);
        if ((key >>> 3) == 2) {
          version = value;
        }
      }
    }
    return domain.isEmpty() || domain.equals("ai.onnx") ? version : -1;
  }

  private static long varint(byte[] b, int[] pos) throws IOException {
    long result = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      if (pos[0] >= b.length) {
        throw new IOException("truncated protobuf");
      }
      byte x = b[pos[0]++];
      result |= (long) (x & 0x7F) << shift;
      if ((x & 0x80) == 0) {
        return result;
      }
    }
    throw new IOException("malformed varint");
  }
}
