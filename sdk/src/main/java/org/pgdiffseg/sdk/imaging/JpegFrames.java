package org.pgdiffseg.sdk.imaging;

import static org.bytedeco.opencv.global.opencv_core.CV_8U;
import static org.bytedeco.opencv.global.opencv_core.CV_8UC1;
import static org.bytedeco.opencv.global.opencv_imgcodecs.IMREAD_GRAYSCALE;
import static org.bytedeco.opencv.global.opencv_imgcodecs.imdecode;

import java.io.ByteArrayOutputStream;
import java.util.Arrays;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.opencv.opencv_core.Mat;
import org.pgdiffseg.sdk.InvalidImageException;

/**
 * Decodes the frames of JPEG Baseline DICOM pixel data with OpenCV, one frame at a time, to their luma: libjpeg's
 * gray output is the Y of a YCbCr JPEG, as pydicom reads a YBR_FULL_422 frame. Each JPEG's own header is walked
 * and its size compared with Rows and Columns before it is decompressed, so a frame cannot ask for more pixels than
 * the checked DICOM header declared.
 */
final class JpegFrames {
  private final DicomHeader h;
  private final byte[] d;
  private final String name;

  JpegFrames(DicomHeader h, byte[] d, String name) {
    this.h = h;
    this.d = d;
    this.name = name;
  }

  /** Frame {@code frame}'s luma, row-major, one byte a pixel. */
  byte[] luma(int frame) throws InvalidImageException {
    byte[] jpeg = frameBytes(frame);
    String frameName = name + " frame " + (frame + 1);
    ImageHeader header = ImageHeader.parse(jpeg, frameName);
    if (header.format() != ImageFormat.JPEG) {
      throw new InvalidImageException(frameName + ": JPEG Baseline DICOM frame holds a " + header.format()
          + ", not a JPEG");
    }
    if (header.width() != h.columns() || header.height() != h.rows()) {
      throw new InvalidImageException(frameName + ": the JPEG is " + header.width() + " x " + header.height()
          + " pixels, the DICOM header says " + h.columns() + " x " + h.rows() + " (Columns x Rows)");
    }
    try (BytePointer bytes = new BytePointer(jpeg);
        Mat encoded = new Mat(1, jpeg.length, CV_8UC1, bytes);
        Mat decoded = imdecode(encoded, IMREAD_GRAYSCALE)) {
      if (decoded.empty() || decoded.depth() != CV_8U || decoded.channels() != 1
          || decoded.cols() != h.columns() || decoded.rows() != h.rows()) {
        throw new InvalidImageException(frameName + ": the JPEG could not be decoded (corrupt or not baseline)");
      }
      byte[] luma = new byte[h.rows() * h.columns()];
      if (decoded.isContinuous()) {
        decoded.data().get(luma);
      } else {
        for (int y = 0; y < h.rows(); y++) {
          decoded.ptr(y).get(luma, y * h.columns(), h.columns());
        }
      }
      return luma;
    }
  }

  /** The JPEG of a frame: its fragment, or every fragment in turn for a single-frame file. */
  private byte[] frameBytes(int frame) {
    DicomHeader.Fragments f = h.fragments();
    if (h.frames() > 1) {
      return Arrays.copyOfRange(d, f.offsets()[frame], f.offsets()[frame] + f.lengths()[frame]);
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (int i = 0; i < f.count(); i++) {
      out.write(d, f.offsets()[i], f.lengths()[i]);
    }
    return out.toByteArray();
  }
}
