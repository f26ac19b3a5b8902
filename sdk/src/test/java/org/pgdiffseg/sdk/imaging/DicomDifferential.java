package org.pgdiffseg.sdk.imaging;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.pgdiffseg.sdk.InvalidImageException;

/**
 * Compares the SDK's DICOM reader with pydicom's readings written by {@code conformance/python/dicom_differential.py}
 * (a folder of files and their {@code expected.json}): the same rows, columns, frames and samples, and per frame the
 * same SHA-256 of the stored values and of the modality values, or a refusal by both. Replayed on the committed
 * corpus by {@link DicomDifferentialTest}; run on fresh files by {@code samples/dicom-differential}:
 * {@code java -cp <sdk classes, test classes, dependencies> org.pgdiffseg.sdk.imaging.DicomDifferential <folder>...}
 * prints one line per disagreement and a summary, and exits with 1 when any file disagrees.
 */
public final class DicomDifferential {
  /** Largest difference allowed between two JPEG decoders' luma (IDCT rounding); uncompressed values are exact. */
  static final int LUMA_TOLERANCE = 2;

  /** Counts over a folder, and the disagreements in words. */
  public record Outcome(int files, int bothRead, int bothRefused, List<String> disagreements) {}

  private DicomDifferential() {}

  public static Outcome compare(Path folder) throws Exception {
    JsonNode cases = new ObjectMapper().readTree(folder.resolve("expected.json").toFile()).get("cases");
    DicomReader reader = new DicomReader(ImageDecoder.DEFAULT_MAX_PIXELS);
    int files = 0;
    int bothRead = 0;
    int bothRefused = 0;
    List<String> disagreements = new ArrayList<>();
    for (Iterator<Map.Entry<String, JsonNode>> it = cases.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> c = it.next();
      files++;
      String name = c.getKey();
      JsonNode expected = c.getValue();
      byte[] data = Files.readAllBytes(folder.resolve(name));
      String sdk;
      DicomFrames frames = null;
      try {
        frames = reader.frames(data, name);
        sdk = describe(frames);
      } catch (InvalidImageException refused) {
        sdk = "refused (" + refused.getMessage() + ")";
      }
      if (expected.has("refused")) {
        if (frames == null) {
          bothRefused++;
        } else {
          disagreements.add(name + ": pydicom refuses (" + expected.get("refused").asText() + "), the SDK reads "
              + sdk);
        }
        continue;
      }
      String pydicom = expected.get("columns").asInt() + " x " + expected.get("rows").asInt() + " x "
          + expected.get("frames").asInt() + " frames of " + expected.get("samples").asInt() + " samples";
      if (frames == null || !sdk.equals(pydicom)) {
        disagreements.add(name + ": pydicom reads " + pydicom + ", the SDK " + sdk);
        continue;
      }
      String valuesDiffer = compareValues(frames, expected);
      if (valuesDiffer != null) {
        disagreements.add(name + ": " + valuesDiffer);
      } else {
        bothRead++;
      }
    }
    return new Outcome(files, bothRead, bothRefused, List.copyOf(disagreements));
  }

  private static String describe(DicomFrames frames) {
    DicomHeader h = frames.header();
    return h.columns() + " x " + h.rows() + " x " + frames.count() + " frames of " + h.samplesPerPixel() + " samples";
  }

  /** Null when every frame's stored and modality values match; the first difference otherwise. */
  private static String compareValues(DicomFrames frames, JsonNode expected) throws Exception {
    if (expected.has("luma_base64")) {
      return compareLuma(frames, expected.get("luma_base64"));
    }
    for (int f = 0; f < frames.count(); f++) {
      String stored = sha256(frames.storedValues(f));
      if (!stored.equals(expected.get("stored_sha256").get(f).asText())) {
        return "frame " + (f + 1) + ": stored values differ from pydicom's pixel_array";
      }
      String modality;
      try {
        modality = sha256(frames.modalityValues(f));
        frames.image(f);   // and the whole path to gray reads it
      } catch (InvalidImageException refused) {
        return "frame " + (f + 1) + ": pydicom reads it, the SDK refuses (" + refused.getMessage() + ")";
      }
      if (!modality.equals(expected.get("modality_sha256").get(f).asText())) {
        return "frame " + (f + 1) + ": modality values differ from pydicom's apply_modality_lut";
      }
    }
    return null;
  }

  /** Null when every JPEG frame's luma is within {@link #LUMA_TOLERANCE} of pydicom's (Pillow's) decode. */
  private static String compareLuma(DicomFrames frames, JsonNode expected) {
    for (int f = 0; f < frames.count(); f++) {
      byte[] pydicom = Base64.getDecoder().decode(expected.get(f).asText());
      double[] sdk;
      try {
        sdk = frames.modalityValues(f);
        frames.image(f);
      } catch (InvalidImageException refused) {
        return "frame " + (f + 1) + ": pydicom reads it, the SDK refuses (" + refused.getMessage() + ")";
      }
      double worst = 0;
      for (int i = 0; i < sdk.length; i++) {
        worst = Math.max(worst, Math.abs(sdk[i] - (pydicom[i] & 0xFF)));
      }
      if (worst > LUMA_TOLERANCE) {
        return "frame " + (f + 1) + ": JPEG luma differs from pydicom's by up to " + worst + " (tolerance "
            + LUMA_TOLERANCE + ")";
      }
    }
    return null;
  }

  static String sha256(long[] values) throws Exception {
    ByteBuffer b = ByteBuffer.allocate(values.length * 8).order(ByteOrder.LITTLE_ENDIAN);
    for (long v : values) {
      b.putLong(v);
    }
    return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b.array()));
  }

  static String sha256(double[] values) throws Exception {
    ByteBuffer b = ByteBuffer.allocate(values.length * 8).order(ByteOrder.LITTLE_ENDIAN);
    for (double v : values) {
      b.putDouble(v + 0.0);   // -0.0 counts as 0.0, as on pydicom's side
    }
    return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b.array()));
  }

  public static void main(String[] args) throws Exception {
    int files = 0;
    int bothRead = 0;
    int bothRefused = 0;
    int disagreeing = 0;
    for (String folder : args) {
      Outcome o = compare(Path.of(folder));
      o.disagreements().forEach(d -> System.out.println(folder + "/" + d));
      files += o.files();
      bothRead += o.bothRead();
      bothRefused += o.bothRefused();
      disagreeing += o.disagreements().size();
    }
    System.out.println(files + " files: " + bothRead + " read alike, " + bothRefused + " refused by both, "
        + disagreeing + " disagreeing");
    System.exit(disagreeing == 0 ? 0 : 1);
  }
}
