package org.pgdiffseg.sdk.dicom;

import static com.google.common.base.Preconditions.checkArgument;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * A DICOM data set being written, encoded as explicit VR little endian (PS3.5 §7.1.2): elements in ascending tag
 * order whatever order they were put in, every value padded to an even length (UI with NUL, text with a space,
 * binary with a zero byte), sequences and items of defined length. Only what derived objects need: text VRs,
 * US, UL, AT, OB and SQ. Not thread-safe.
 */
final class DicomDataset {
  /** VRs whose explicit form has two reserved bytes and a 32-bit length (PS3.5 Table 7.1-1). */
  private static final Set<String> LONG_VRS = Set.of("OB", "OW", "SQ", "UT", "UN", "UC", "UR");
  private static final Set<String> TEXT_VRS = Set.of("AE", "AS", "CS", "DA", "DS", "DT", "IS", "LO", "LT", "PN",
      "SH", "ST", "TM", "UI", "UT", "UC", "UR");

  private final Map<Integer, byte[]> encoded = new TreeMap<>(Integer::compareUnsigned);

  /** A text value ({@code vr} one of the string VRs); multiple values are joined with '\'. */
  DicomDataset text(int tag, String vr, String value) {
    return raw(tag, vr, value.getBytes(StandardCharsets.ISO_8859_1));
  }

  /** A value already encoded as it should be written (a text copied unchanged from a source file). */
  DicomDataset raw(int tag, String vr, byte[] value) {
    checkArgument(TEXT_VRS.contains(vr) || vr.equals("OB"), "%s is not a text or OB VR", vr);
    byte[] padded = value;
    if (value.length % 2 != 0) {
      padded = new byte[value.length + 1];
      System.arraycopy(value, 0, padded, 0, value.length);
      padded[value.length] = vr.equals("UI") || vr.equals("OB") ? 0 : (byte) ' ';
    }
    encoded.put(tag, element(tag, vr, padded));
    return this;
  }

  DicomDataset us(int tag, int value) {
    encoded.put(tag, element(tag, "US", le(2).putShort((short) value).array()));
    return this;
  }

  /** One or more unsigned 32-bit values. */
  DicomDataset ul(int tag, int... values) {
    ByteBuffer b = le(4 * values.length);
    for (int v : values) {
      b.putInt(v);
    }
    encoded.put(tag, element(tag, "UL", b.array()));
    return this;
  }

  /** An attribute tag as a value (Dimension Index Pointer, Functional Group Pointer). */
  DicomDataset at(int tag, int value) {
    encoded.put(tag, element(tag, "AT", le(4).putShort((short) (value >>> 16)).putShort((short) value).array()));
    return this;
  }

  DicomDataset sequence(int tag, List<DicomDataset> items) {
    ByteArrayOutputStream value = new ByteArrayOutputStream();
    for (DicomDataset item : items) {
      byte[] body = item.encode();
      value.writeBytes(le(8).putShort((short) 0xFFFE).putShort((short) 0xE000).putInt(body.length).array());
      value.writeBytes(body);
    }
    encoded.put(tag, element(tag, "SQ", value.toByteArray()));
    return this;
  }

  /** A sequence of one item. */
  DicomDataset sequence(int tag, DicomDataset item) {
    return sequence(tag, List.of(item));
  }

  /** The elements, in ascending tag order. */
  byte[] encode() {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    encoded.values().forEach(out::writeBytes);
    return out.toByteArray();
  }

  private static byte[] element(int tag, String vr, byte[] value) {
    boolean long32 = LONG_VRS.contains(vr);
    checkArgument(long32 || value.length <= 0xFFFF, "value of %s too long for VR %s: %s bytes",
        Integer.toHexString(tag), vr, value.length);
    ByteBuffer b = le((long32 ? 12 : 8) + value.length);
    b.putShort((short) (tag >>> 16)).putShort((short) tag).put(vr.getBytes(StandardCharsets.US_ASCII));
    if (long32) {
      b.putShort((short) 0).putInt(value.length);
    } else {
      b.putShort((short) value.length);
    }
    return b.put(value).array();
  }

  private static ByteBuffer le(int size) {
    return ByteBuffer.allocate(size).order(ByteOrder.LITTLE_ENDIAN);
  }
}
