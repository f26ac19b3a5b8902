package org.pgdiffseg.sdk.fuzz;

import static org.bytedeco.opencv.global.opencv_core.CV_8UC1;
import static org.bytedeco.opencv.global.opencv_imgcodecs.imencode;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.opencv.opencv_core.Mat;
import org.pgdiffseg.sdk.imaging.DicomFiles;

/**
 * Writes the dicomReader target's seed corpus (the bytes after the preamble of DicomFiles' files):
 * {@code java -cp <sdk test classes, classes and test dependencies> org.pgdiffseg.sdk.fuzz.DicomSeeds <corpus folder>}.
 */
public final class DicomSeeds {
  private DicomSeeds() {}

  public static void main(String[] args) throws Exception {
    Path folder = Files.createDirectories(Path.of(args[0]));
    write(folder.resolve("single-frame-window.bin"), DicomFiles.dicom(16, 16, 1, DicomFiles.ramp(256, 1), "256", "512"));
    write(folder.resolve("three-frames.bin"), DicomFiles.dicom(16, 16, 3, DicomFiles.ramp(256, 3), null, null));
    write(folder.resolve("no-pixels.bin"), DicomFiles.dicom(16, 16, 1, null, null, null));
    byte[] whole = DicomFiles.dicom(16, 16, 1, DicomFiles.ramp(256, 1), null, null);
    write(folder.resolve("truncated.bin"), Arrays.copyOf(whole, whole.length - 40));
    byte[] flat = new byte[256];
    write(folder.resolve("implicit-vr-private-element.bin"), DicomFiles.implicitDicom(16, 16, flat, new byte[0x4144]));
    write(folder.resolve("jpeg-baseline.bin"), DicomFiles.jpegDicom(16, 16, 1, "MONOCHROME2", 1, List.of(grayJpeg())));
  }

  /** A 16 x 16 gray gradient as a JPEG, written by OpenCV. */
  private static byte[] grayJpeg() {
    try (Mat image = new Mat(16, 16, CV_8UC1); BytePointer buffer = new BytePointer()) {
      ByteBuffer pixels = image.createBuffer();
      for (int i = 0; i < 256; i++) {
        pixels.put(i, (byte) (i / 16 * 12 + i % 16 * 3));
      }
      imencode(".jpg", image, buffer);
      byte[] bytes = new byte[(int) buffer.limit()];
      buffer.get(bytes);
      return bytes;
    }
  }

  private static void write(Path file, byte[] dicom) throws Exception {
    Files.write(file, Arrays.copyOfRange(dicom, 132, dicom.length));
  }
}
