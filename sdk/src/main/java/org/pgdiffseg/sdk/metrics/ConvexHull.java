package org.pgdiffseg.sdk.metrics;

import java.util.Arrays;
import java.util.Comparator;

/** Andrew's monotone chain: the convex hull of points in the plane, counter-clockwise, without collinear points. */
final class ConvexHull {
  private ConvexHull() {}

  static double[][] of(double[][] points) {
    double[][] p = points.clone();
    Arrays.sort(p, Comparator.<double[]>comparingDouble(q -> q[0]).thenComparingDouble(q -> q[1]));
    if (p.length < 3) {
      return p;
    }
    double[][] hull = new double[2 * p.length][];
    int k = 0;
    for (double[] q : p) {
      while (k >= 2 && cross(hull[k - 2], hull[k - 1], q) <= 0) {
        k--;
      }
      hull[k++] = q;
    }
    for (int i = p.length - 2, lower = k + 1; i >= 0; i--) {
      while (k >= lower && cross(hull[k - 2], hull[k - 1], p[i]) <= 0) {
        k--;
      }
      hull[k++] = p[i];
    }
    return Arrays.copyOf(hull, Math.max(1, k - 1));
  }

  private static double cross(double[] o, double[] a, double[] b) {
    return (a[0] - o[0]) * (b[1] - o[1]) - (a[1] - o[1]) * (b[0] - o[0]);
  }
}
