package org.pgdiffseg.sdk.imaging;

import static org.bytedeco.opencv.global.opencv_core.CV_32S;
import static org.bytedeco.opencv.global.opencv_core.CV_8UC1;
import static org.bytedeco.opencv.global.opencv_imgproc.CC_STAT_AREA;
import static org.bytedeco.opencv.global.opencv_imgproc.CC_STAT_HEIGHT;
import static org.bytedeco.opencv.global.opencv_imgproc.CC_STAT_LEFT;
import static org.bytedeco.opencv.global.opencv_imgproc.CC_STAT_TOP;
import static org.bytedeco.opencv.global.opencv_imgproc.CC_STAT_WIDTH;
import static org.bytedeco.opencv.global.opencv_imgproc.connectedComponentsWithStats;

import java.nio.ByteBuffer;
import java.nio.IntBuffer;
import org.bytedeco.opencv.opencv_core.Mat;

/** OpenCV's {@code connectedComponentsWithStats} on a byte mask (nonzero = foreground), copied to the heap. */
record ConnectedComponents(int count, int[] labels, int[] stats) {
  private static final int STATS_COLUMNS = 5;

  static ConnectedComponents of(byte[] mask, int width, int height, int connectivity) {
    try (Mat image = new Mat(height, width, CV_8UC1);
        Mat labelMat = new Mat();
        Mat statsMat = new Mat();
        Mat centroids = new Mat()) {
      ByteBuffer imageBytes = image.createBuffer();
      imageBytes.put(0, mask);
      int count = connectedComponentsWithStats(image, labelMat, statsMat, centroids, connectivity, CV_32S);
      int[] labels = new int[mask.length];
      ((IntBuffer) labelMat.createBuffer()).get(0, labels);
      int[] stats = new int[count * STATS_COLUMNS];
      ((IntBuffer) statsMat.createBuffer()).get(0, stats);
      return new ConnectedComponents(count, labels, stats);
    }
  }

  int area(int label) {
    return stats[label * STATS_COLUMNS + CC_STAT_AREA];
  }

  boolean touchesBorder(int label, int width, int height) {
    int base = label * STATS_COLUMNS;
    int left = stats[base + CC_STAT_LEFT];
    int top = stats[base + CC_STAT_TOP];
    return left == 0 || top == 0 || left + stats[base + CC_STAT_WIDTH] == width
        || top + stats[base + CC_STAT_HEIGHT] == height;
  }
}
