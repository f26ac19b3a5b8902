package org.pgdiffseg.sdk.imaging;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/** DICOM Part 10 files written for tests: explicit VR little endian, 16-bit MONOCHROME2, one or several frames. */
public final class DicomFiles {
  private DicomFiles() {}

  /** A minimal DICOM Part 10 file; {@code pixels} may be null for a file without pixel data. */
  public static byte[] dicom(int rows, int cols, int frames, short[] pixels, String windowCenter, String windowWidth) {
    ByteArrayOutputStream out = header("1.2.840.10008.1.2.1");
    element(out, 0x0028, 0x0002, "US", u16(1));
    element(out, 0x0028, 0x0004, "CS", text("MONOCHROME2"));
    element(out, 0x0028, 0x0008, "IS", text(Integer.toString(frames)));
    element(out, 0x0028, 0x0010, "US", u16(rows));
    element(out, 0x0028, 0x0011, "US", u16(cols));
    element(out, 0x0028, 0x0100, "US", u16(16));
    element(out, 0x0028, 0x0101, "US", u16(16));
    element(out, 0x0028, 0x0102, "US", u16(15));
    element(out, 0x0028, 0x0103, "US", u16(0));
    if (windowCenter != null) {
      element(out, 0x0028, 0x1050, "DS", text(windowCenter));
      element(out, 0x0028, 0x1051, "DS", text(windowWidth));
    }
    if (pixels != null) {
      ByteBuffer b = ByteBuffer.allocate(pixels.length * 2).order(ByteOrder.LITTLE_ENDIAN);
      for (short p : pixels) {
        b.putShort(p);
      }
      element(out, 0x7FE0, 0x0010, "OW", b.array());
    }
    return out.toByteArray();
  }

  /**
   * An explicit VR little endian ultrasound file of 8-bit MONOCHROME2 frames with the identity a derived object
   * references: SOP Class (Ultrasound Multi-frame Image), SOP Instance, Study and Series UIDs, Patient Name and
   * ID. A null UID is left out.
   */
  public static byte[] identified(int rows, int cols, int frames, String studyUid, String seriesUid,
      String sopInstanceUid) {
    return identified(rows, cols, frames, studyUid, seriesUid, sopInstanceUid, null);
  }

  /** As {@link #identified(int, int, int, String, String, String)}, with a Pixel Spacing (e.g. "0.5\\0.25"). */
  public static byte[] identified(int rows, int cols, int frames, String studyUid, String seriesUid,
      String sopInstanceUid, String pixelSpacing) {
    ByteArrayOutputStream out = header("1.2.840.10008.1.2.1");
    element(out, 0x0008, 0x0016, "UI", uid("1.2.840.10008.5.1.4.1.1.3.1"));
    if (sopInstanceUid != null) {
      element(out, 0x0008, 0x0018, "UI", uid(sopInstanceUid));
    }
    element(out, 0x0008, 0x0060, "CS", text("US"));
    element(out, 0x0010, 0x0010, "PN", text("Doe^Jane"));
    element(out, 0x0010, 0x0020, "LO", text("PGD-0001"));
    if (studyUid != null) {
      element(out, 0x0020, 0x000D, "UI", uid(studyUid));
    }
    if (seriesUid != null) {
      element(out, 0x0020, 0x000E, "UI", uid(seriesUid));
    }
    element(out, 0x0028, 0x0002, "US", u16(1));
    element(out, 0x0028, 0x0004, "CS", text("MONOCHROME2"));
    element(out, 0x0028, 0x0008, "IS", text(Integer.toString(frames)));
    element(out, 0x0028, 0x0010, "US", u16(rows));
    element(out, 0x0028, 0x0011, "US", u16(cols));
    if (pixelSpacing != null) {
      element(out, 0x0028, 0x0030, "DS", text(pixelSpacing));
    }
    element(out, 0x0028, 0x0100, "US", u16(8));
    element(out, 0x0028, 0x0101, "US", u16(8));
    element(out, 0x0028, 0x0102, "US", u16(7));
    element(out, 0x0028, 0x0103, "US", u16(0));
    byte[] pixels = new byte[rows * cols * frames];
    for (int i = 0; i < pixels.length; i++) {
      pixels[i] = (byte) (i * 7);
    }
    element(out, 0x7FE0, 0x0010, "OB", pixels.length % 2 == 0 ? pixels : java.util.Arrays.copyOf(pixels,
        pixels.length + 1));
    return out.toByteArray();
  }

  /** A UI value, padded with NUL to an even length. */
  public static byte[] uid(String s) {
    byte[] raw = s.getBytes(StandardCharsets.US_ASCII);
    return raw.length % 2 == 0 ? raw : java.util.Arrays.copyOf(raw, raw.length + 1);
  }

  public static byte[] text(String s) {
    byte[] raw = s.getBytes(StandardCharsets.US_ASCII);
    return raw.length % 2 == 0 ? raw : (s + (s.matches("[0-9.]+") ? "\0" : " ")).getBytes(StandardCharsets.US_ASCII);
  }

  public static byte[] u16(int v) {
    return ByteBuffer.allocate(2).order(ByteOrder.LITTLE_ENDIAN).putShort((short) v).array();
  }

  public static void element(ByteArrayOutputStream out, int group, int elem, String vr, byte[] value) {
    ByteBuffer h = ByteBuffer.allocate(12).order(ByteOrder.LITTLE_ENDIAN);
    h.putShort((short) group).putShort((short) elem).put(vr.getBytes(StandardCharsets.US_ASCII));
    if (java.util.Set.of("OB", "OW", "OF", "OD", "OL", "OV", "SQ", "UN", "UT", "UC", "UR", "SV", "UV").contains(vr)) {
      h.putShort((short) 0).putInt(value.length);
      out.write(h.array(), 0, 12);
    } else {
      h.putShort((short) value.length);
      out.write(h.array(), 0, 8);
    }
    out.writeBytes(value);
  }

  /** An implicit VR little endian element: tag and a 32-bit length, no VR. */
  public static void implicitElement(ByteArrayOutputStream out, int group, int elem, byte[] value) {
    out.writeBytes(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putShort((short) group)
        .putShort((short) elem).putInt(value.length).array());
    out.writeBytes(value);
  }

  /**
   * An implicit VR little endian file of 8-bit MONOCHROME2 {@code rows} x {@code cols} pixels, with
   * {@code privateValue} (when not null) in private element (0009,1010) before the image attributes.
   */
  public static byte[] implicitDicom(int rows, int cols, byte[] pixels, byte[] privateValue) {
    ByteArrayOutputStream out = header("1.2.840.10008.1.2");
    if (privateValue != null) {
      implicitElement(out, 0x0009, 0x0010, text("PGDIFFSEG TEST"));
      implicitElement(out, 0x0009, 0x1010, privateValue);
    }
    implicitElement(out, 0x0028, 0x0002, u16(1));
    implicitElement(out, 0x0028, 0x0004, text("MONOCHROME2"));
    implicitElement(out, 0x0028, 0x0010, u16(rows));
    implicitElement(out, 0x0028, 0x0011, u16(cols));
    implicitElement(out, 0x0028, 0x0100, u16(8));
    implicitElement(out, 0x0028, 0x0101, u16(8));
    implicitElement(out, 0x0028, 0x0102, u16(7));
    implicitElement(out, 0x0028, 0x0103, u16(0));
    implicitElement(out, 0x7FE0, 0x0010, pixels);
    return out.toByteArray();
  }

  /**
   * A JPEG Baseline file (explicit VR little endian, encapsulated) of {@code frames} frames, 8 bits and
   * {@code samples} samples per pixel; each of {@code fragments} is one item after an empty Basic Offset Table.
   */
  public static byte[] jpegDicom(int rows, int cols, int samples, String photometric, int frames,
      java.util.List<byte[]> fragments) {
    ByteArrayOutputStream out = header("1.2.840.10008.1.2.4.50");
    element(out, 0x0028, 0x0002, "US", u16(samples));
    element(out, 0x0028, 0x0004, "CS", text(photometric));
    if (samples == 3) {
      element(out, 0x0028, 0x0006, "US", u16(0));
    }
    element(out, 0x0028, 0x0008, "IS", text(Integer.toString(frames)));
    element(out, 0x0028, 0x0010, "US", u16(rows));
    element(out, 0x0028, 0x0011, "US", u16(cols));
    element(out, 0x0028, 0x0100, "US", u16(8));
    element(out, 0x0028, 0x0101, "US", u16(8));
    element(out, 0x0028, 0x0102, "US", u16(7));
    element(out, 0x0028, 0x0103, "US", u16(0));
    out.writeBytes(ByteBuffer.allocate(12).order(ByteOrder.LITTLE_ENDIAN).putShort((short) 0x7FE0)
        .putShort((short) 0x0010).put("OB".getBytes(StandardCharsets.US_ASCII)).putShort((short) 0).putInt(-1).array());
    item(out, 0xE000, new byte[0]);   // an empty Basic Offset Table
    for (byte[] fragment : fragments) {
      item(out, 0xE000, fragment.length % 2 == 0 ? fragment : java.util.Arrays.copyOf(fragment, fragment.length + 1));
    }
    item(out, 0xE0DD, new byte[0]);   // the sequence delimiter
    return out.toByteArray();
  }

  private static void item(ByteArrayOutputStream out, int element, byte[] value) {
    out.writeBytes(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putShort((short) 0xFFFE)
        .putShort((short) element).putInt(value.length).array());
    out.writeBytes(value);
  }

  public static short[] ramp(int n, int frames) {
    short[] p = new short[n * frames];
    for (int i = 0; i < p.length; i++) {
      p[i] = (short) ((i % n) * 4 + (i / n) * 100);
    }
    return p;
  }

  /**
   * A single-frame file with every pixel attribute chosen: {@code pixelBytes} as stored (little endian);
   * {@code slope} and {@code intercept} may be null.
   */
  public static byte[] dicomWith(int rows, int cols, int samples, int bitsAllocated, int bitsStored, int pixelRepresentation,
      String photometric, int planar, byte[] pixelBytes, String slope, String intercept) {
    ByteArrayOutputStream out = header("1.2.840.10008.1.2.1");
    element(out, 0x0028, 0x0002, "US", u16(samples));
    element(out, 0x0028, 0x0004, "CS", text(photometric));
    if (samples == 3) {
      element(out, 0x0028, 0x0006, "US", u16(planar));
    }
    element(out, 0x0028, 0x0010, "US", u16(rows));
    element(out, 0x0028, 0x0011, "US", u16(cols));
    element(out, 0x0028, 0x0100, "US", u16(bitsAllocated));
    element(out, 0x0028, 0x0101, "US", u16(bitsStored));
    element(out, 0x0028, 0x0102, "US", u16(bitsStored - 1));
    element(out, 0x0028, 0x0103, "US", u16(pixelRepresentation));
    if (intercept != null) {
      element(out, 0x0028, 0x1052, "DS", text(intercept));
    }
    if (slope != null) {
      element(out, 0x0028, 0x1053, "DS", text(slope));
    }
    element(out, 0x7FE0, 0x0010, bitsAllocated == 8 ? "OB" : "OW", pixelBytes);
    return out.toByteArray();
  }

  /** The 128-byte preamble, "DICM" and a file meta group naming {@code transferSyntax}. */
  public static ByteArrayOutputStream header(String transferSyntax) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.writeBytes(new byte[128]);
    out.writeBytes("DICM".getBytes(StandardCharsets.US_ASCII));
    ByteArrayOutputStream meta = new ByteArrayOutputStream();
    element(meta, 0x0002, 0x0010, "UI", text(transferSyntax));
    element(out, 0x0002, 0x0000, "UL", ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(meta.size()).array());
    out.writeBytes(meta.toByteArray());
    return out;
  }

  /** One region item: bounds (columns x0..x1, rows y0..y1), physical units X/Y and deltas (cm per pixel). */
  public record Region(int x0, int y0, int x1, int y1, int units, double delta) {}

  private static byte[] ul(long v) {
    return ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt((int) v).array();
  }

  private static byte[] fd(double v) {
    return ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putDouble(v).array();
  }

  /** The item's elements, each written explicitly ({@code implicit} false) or in implicit VR. */
  private static byte[] item(Region r, boolean implicit) {
    ByteArrayOutputStream e = new ByteArrayOutputStream();
    Object[][] elements = {{0x6018, "UL", ul(r.x0())}, {0x601A, "UL", ul(r.y0())}, {0x601C, "UL", ul(r.x1())},
        {0x601E, "UL", ul(r.y1())}, {0x6024, "US", u16(r.units())}, {0x6026, "US", u16(r.units())},
        {0x602C, "FD", fd(r.delta())}, {0x602E, "FD", fd(r.delta())}};
    for (Object[] el : elements) {
      if (implicit) {
        implicitElement(e, 0x0018, (int) el[0], (byte[]) el[2]);
      } else {
        element(e, 0x0018, (int) el[0], (String) el[1], (byte[]) el[2]);
      }
    }
    ByteArrayOutputStream item = new ByteArrayOutputStream();
    item.writeBytes(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putShort((short) 0xFFFE)
        .putShort((short) 0xE000).putInt(e.size()).array());
    item.writeBytes(e.toByteArray());
    return item.toByteArray();
  }

  /** A 64 x 48 ultrasound image (8-bit, black) with the given regions, in explicit or implicit VR little endian. */
  public static byte[] ultrasound(boolean implicit, Region... regions) {
    ByteArrayOutputStream items = new ByteArrayOutputStream();
    for (Region r : regions) {
      items.writeBytes(item(r, implicit));
    }
    ByteArrayOutputStream out = header(implicit ? "1.2.840.10008.1.2" : "1.2.840.10008.1.2.1");
    Object[][] image = {{0x0008, 0x0016, "UI", uid("1.2.840.10008.5.1.4.1.1.6.1")},
        {0x0008, 0x0018, "UI", uid("1.2.3.4.5")}, {0x0018, 0x6011, "SQ", items.toByteArray()},
        {0x0020, 0x000D, "UI", uid("1.2.3")}, {0x0020, 0x000E, "UI", uid("1.2.3.4")},
        {0x0028, 0x0002, "US", u16(1)}, {0x0028, 0x0004, "CS", text("MONOCHROME2")},
        {0x0028, 0x0010, "US", u16(48)}, {0x0028, 0x0011, "US", u16(64)},
        {0x0028, 0x0100, "US", u16(8)}, {0x0028, 0x0101, "US", u16(8)},
        {0x0028, 0x0102, "US", u16(7)}, {0x0028, 0x0103, "US", u16(0)},
        {0x7FE0, 0x0010, "OB", new byte[64 * 48]}};
    for (Object[] el : image) {
      if (implicit) {
        implicitElement(out, (int) el[0], (int) el[1], (byte[]) el[3]);
      } else {
        element(out, (int) el[0], (int) el[1], (String) el[2], (byte[]) el[3]);
      }
    }
    return out.toByteArray();
  }

}
