package org.pgdiffseg.sdk.imaging;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;
import static org.bytedeco.opencv.global.opencv_core.CV_8UC1;
import static org.bytedeco.opencv.global.opencv_core.CV_8UC3;
import static org.bytedeco.opencv.global.opencv_core.addWeighted;
import static org.bytedeco.opencv.global.opencv_imgproc.CHAIN_APPROX_NONE;
import static org.bytedeco.opencv.global.opencv_imgproc.FILLED;
import static org.bytedeco.opencv.global.opencv_imgproc.FONT_HERSHEY_SIMPLEX;
import static org.bytedeco.opencv.global.opencv_imgproc.LINE_AA;
import static org.bytedeco.opencv.global.opencv_imgproc.getTextSize;
import static org.bytedeco.opencv.global.opencv_imgproc.putText;
import static org.bytedeco.opencv.global.opencv_imgproc.circle;
import static org.bytedeco.opencv.global.opencv_imgproc.rectangle;
import static org.bytedeco.opencv.global.opencv_imgproc.COLOR_GRAY2BGR;
import static org.bytedeco.opencv.global.opencv_imgproc.LINE_8;
import static org.bytedeco.opencv.global.opencv_imgproc.RETR_LIST;
import static org.bytedeco.opencv.global.opencv_imgproc.cvtColor;
import static org.bytedeco.opencv.global.opencv_imgproc.drawContours;
import static org.bytedeco.opencv.global.opencv_imgproc.findContours;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.bytedeco.javacpp.IntPointer;
import org.bytedeco.opencv.opencv_core.Mat;
import org.bytedeco.opencv.opencv_core.MatVector;
import org.bytedeco.opencv.opencv_core.Point;
import org.bytedeco.opencv.opencv_core.Scalar;
import org.bytedeco.opencv.opencv_core.Size;

/**
 * Draws a mask over its image for people to look at: the gray image as colour, lesion pixels blended with a
 * fill colour at {@code fillOpacity}, and every mask contour (outer and hole boundaries) drawn in the same
 * colour, {@code contourThickness} pixels wide. Immutable and thread-safe.
 *
 * @param red fill and contour colour, 0..255
 * @param fillOpacity weight of the colour in the fill, 0 (image only) to 1 (solid colour)
 * @param contourThickness contour width in pixels; 0 draws no contour
 */
public record OverlayRenderer(int red, int green, int blue, double fillOpacity, int contourThickness) {

  public OverlayRenderer {
    checkArgument(inByteRange(red) && inByteRange(green) && inByteRange(blue),
        "colour components must be 0..255, got (%s, %s, %s)", red, green, blue);
    checkArgument(fillOpacity >= 0 && fillOpacity <= 1, "fillOpacity must be in [0, 1], got %s", fillOpacity);
    checkArgument(contourThickness >= 0, "contourThickness must be >= 0, got %s", contourThickness);
  }

  /** Red fill at 35 % opacity with a 2-pixel red contour. */
  public static OverlayRenderer defaults() {
    return new OverlayRenderer(255, 0, 0, 0.35, 2);
  }

  /** The overlay as interleaved BGR bytes, row-major {@code [height, width, 3]}. */
  public byte[] renderBgr(DecodedImage image, BinaryMask mask) {
    try (Mat overlay = render(image, mask)) {
      byte[] bgr = new byte[image.width() * image.height() * 3];
      ((ByteBuffer) overlay.createBuffer()).get(0, bgr);
      return bgr;
    }
  }

  /** The overlay encoded as a colour PNG. */
  public byte[] encodePng(DecodedImage image, BinaryMask mask) {
    return encodePng(image, mask, null);
  }

  /** A line drawn over the image (a caliper), in pixel coordinates, with its text beside its end. */
  public record Line(double x1, double y1, double x2, double y2, String text) {}

  /**
   * The overlay encoded as a colour PNG, with {@code label} (may be null) written in its top-left corner, white
   * on black: an image with no mask says why ("no lesion (gated) ..."), so an empty overlay is not mistaken for
   * a missed lesion.
   */
  public byte[] encodePng(DecodedImage image, BinaryMask mask, String label) {
    return encodePng(image, mask, label, List.of());
  }

  /** As {@link #encodePng(DecodedImage, BinaryMask, String)}, with {@code lines} drawn on top (yellow). */
  public byte[] encodePng(DecodedImage image, BinaryMask mask, String label, List<Line> lines) {
    try (Mat overlay = render(image, mask)) {
      for (Line line : lines) {
        drawLine(overlay, line);
      }
      if (label != null && !label.isBlank()) {
        drawLabel(overlay, label);
      }
      return ImageWriter.encodePng(overlay);
    }
  }

  /**
   * As {@link #encodePng(DecodedImage, BinaryMask, String, List)}, with the outline of {@code uncertain} (may be
   * null) drawn over all of it in cyan, one pixel wide and dashed, so it cannot be mistaken for the lesion's.
   */
  public byte[] encodePng(DecodedImage image, BinaryMask mask, String label, List<Line> lines, BinaryMask uncertain) {
    try (Mat overlay = render(image, mask)) {
      if (uncertain != null) {
        drawDashedOutline(overlay, uncertain);
      }
      for (Line line : lines) {
        drawLine(overlay, line);
      }
      if (label != null && !label.isBlank()) {
        drawLabel(overlay, label);
      }
      return ImageWriter.encodePng(overlay);
    }
  }

  /** Every other run of 4 pixels of the region's contours, in cyan. */
  private static void drawDashedOutline(Mat bgr, BinaryMask region) {
    checkArgument(region.width() == bgr.cols() && region.height() == bgr.rows(),
        "uncertain region is %s x %s, the image %s x %s", region.width(), region.height(), bgr.cols(), bgr.rows());
    try (Mat pixels = new Mat(region.height(), region.width(), CV_8UC1);
        MatVector contours = new MatVector();
        Mat hierarchy = new Mat()) {
      ((ByteBuffer) pixels.createBuffer()).put(0, region.pixelArray());
      findContours(pixels, contours, hierarchy, RETR_LIST, CHAIN_APPROX_NONE);
      ByteBuffer out = bgr.createBuffer();
      int width = bgr.cols();
      for (long c = 0; c < contours.size(); c++) {
        try (Mat contour = contours.get(c)) {
          java.nio.IntBuffer points = contour.createBuffer();
          int n = (int) contour.total();
          for (int i = 0; i < n; i++) {
            if ((i / 4) % 2 == 0) {
              int x = points.get(2 * i);
              int y = points.get(2 * i + 1);
              int at = (y * width + x) * 3;
              out.put(at, (byte) 255).put(at + 1, (byte) 255).put(at + 2, (byte) 0);
            }
          }
        }
      }
    }
  }

  /** Writes the overlay to {@code file} as a colour PNG. */
  public void writePng(Path file, DecodedImage image, BinaryMask mask) throws IOException {
    writePng(file, image, mask, null);
  }

  /** Writes the overlay with {@code label} (may be null) to {@code file} as a colour PNG. */
  public void writePng(Path file, DecodedImage image, BinaryMask mask, String label) throws IOException {
    writePng(file, image, mask, label, List.of());
  }

  /** Writes the overlay with {@code label} (may be null) and {@code lines} to {@code file} as a colour PNG. */
  public void writePng(Path file, DecodedImage image, BinaryMask mask, String label, List<Line> lines)
      throws IOException {
    checkNotNull(file, "file");
    Files.write(file, encodePng(image, mask, label, lines));
  }

  /** A caliper: a yellow line with end ticks and its text beside the far end, scaled to the image. */
  private static void drawLine(Mat bgr, Line line) {
    double scale = Math.max(0.35, Math.min(bgr.cols(), bgr.rows()) / 900.0);
    int thickness = Math.max(1, (int) Math.round(scale * 1.5));
    try (Scalar yellow = new Scalar(0, 255, 255, 0);
        Point a = new Point((int) Math.round(line.x1()), (int) Math.round(line.y1()));
        Point b = new Point((int) Math.round(line.x2()), (int) Math.round(line.y2()));
        Point text = new Point((int) Math.round(line.x2()) + 4, (int) Math.round(line.y2()) - 4)) {
      org.bytedeco.opencv.global.opencv_imgproc.line(bgr, a, b, yellow, thickness, LINE_AA, 0);
      circle(bgr, a, thickness + 1, yellow, FILLED, LINE_AA, 0);
      circle(bgr, b, thickness + 1, yellow, FILLED, LINE_AA, 0);
      if (line.text() != null && !line.text().isBlank()) {
        putText(bgr, line.text(), text, FONT_HERSHEY_SIMPLEX, scale, yellow, thickness, LINE_AA, false);
      }
    }
  }

  /** The label in OpenCV's plain font, scaled to the image so it is legible on a 200 or a 2000 pixel image. */
  private static void drawLabel(Mat bgr, String label) {
    double scale = Math.max(0.35, Math.min(bgr.cols(), bgr.rows()) / 700.0);
    int thickness = Math.max(1, (int) Math.round(scale * 1.5));
    int margin = Math.max(2, (int) Math.round(6 * scale));
    try (IntPointer baseline = new IntPointer(1);
        Size text = getTextSize(label, FONT_HERSHEY_SIMPLEX, scale, thickness, baseline);
        Point corner = new Point(0, 0);
        Point opposite = new Point(Math.min(bgr.cols() - 1, text.width() + 2 * margin),
            Math.min(bgr.rows() - 1, text.height() + baseline.get() + 2 * margin));
        Point origin = new Point(margin, margin + text.height());
        Scalar black = new Scalar(0, 0, 0, 0);
        Scalar white = new Scalar(255, 255, 255, 0)) {
      rectangle(bgr, corner, opposite, black, FILLED, LINE_8, 0);
      putText(bgr, label, origin, FONT_HERSHEY_SIMPLEX, scale, white, thickness, LINE_AA, false);
    }
  }

  /** Returns a new BGR Mat that the caller owns and must close. */
  private Mat render(DecodedImage image, BinaryMask mask) {
    checkNotNull(image, "image");
    checkNotNull(mask, "mask");
    int width = image.width();
    int height = image.height();
    checkArgument(mask.width() == width && mask.height() == height,
        "mask is %s x %s but image %s is %s x %s", mask.width(), mask.height(), image.name(), width, height);
    Mat bgr = new Mat();
    try (Mat gray = new Mat(height, width, CV_8UC1);
        Mat lesion = new Mat(height, width, CV_8UC1);
        Scalar colour = new Scalar(blue, green, red, 0);
        Mat solid = new Mat(height, width, CV_8UC3, colour);
        Mat blended = new Mat();
        MatVector contours = new MatVector();
        Mat hierarchy = new Mat();
        Point offset = new Point(0, 0)) {
      float[] values = image.grayArray();
      ByteBuffer grayBytes = gray.createBuffer();
      for (int i = 0; i < values.length; i++) {
        grayBytes.put(i, (byte) Math.round(Math.min(Math.max(values[i], 0f), 255f)));
      }
      ((ByteBuffer) lesion.createBuffer()).put(0, mask.pixelArray());
      cvtColor(gray, bgr, COLOR_GRAY2BGR);
      addWeighted(bgr, 1 - fillOpacity, solid, fillOpacity, 0, blended);
      blended.copyTo(bgr, lesion);
      if (contourThickness > 0) {
        findContours(lesion, contours, hierarchy, RETR_LIST, CHAIN_APPROX_NONE);
        drawContours(bgr, contours, -1, colour, contourThickness, LINE_8, hierarchy, Integer.MAX_VALUE, offset);
      }
      return bgr;
    } catch (RuntimeException e) {
      bgr.close();
      throw e;
    }
  }

  private static boolean inByteRange(int v) {
    return v >= 0 && v <= 255;
  }
}
