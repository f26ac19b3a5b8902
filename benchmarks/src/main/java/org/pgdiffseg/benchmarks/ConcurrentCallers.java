package org.pgdiffseg.benchmarks;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;
import org.pgdiffseg.sdk.bundle.ModelBundle;
import org.pgdiffseg.sdk.imaging.DecodedImage;
import org.pgdiffseg.sdk.imaging.ImageDecoder;
import org.pgdiffseg.sdk.pipeline.SegmentRequest;
import org.pgdiffseg.sdk.pipeline.Segmenter;
import org.pgdiffseg.sdk.runtime.SessionConfig;

/**
 * Many callers, one model: {@code CALLERS} threads each segment their share of the images through one
 * Segmenter, (a) one call at a time (one worker, callers queue), (b) with dynamic batching (calls grouped up to
 * {@code CALLERS} images within 5 ms), and (c) one caller handing batches of {@code CALLERS} to
 * {@code segmentBatch}; the three interleaved in each of {@code ROUNDS} rounds so that a noisy machine weighs on
 * all alike. Prints per round and mode: images per second, and p50 / p99 latency of a call in ms.
 *   java -cp CLASSPATH ConcurrentCallers BUNDLE IMAGE_FOLDER CALLERS IMAGES ROUNDS
 */
public final class ConcurrentCallers {
  private ConcurrentCallers() {}

  public static void main(String[] args) throws Exception {
    ModelBundle bundle = ModelBundle.open(Path.of(args[0]));
    int callers = Integer.parseInt(args[2]);
    int count = Integer.parseInt(args[3]);
    int rounds = Integer.parseInt(args[4]);
    List<DecodedImage> images = new ArrayList<>();
    ImageDecoder decoder = new ImageDecoder();
    try (Stream<Path> files = Files.list(Path.of(args[1]))) {
      for (Path file : files.filter(f -> f.toString().endsWith(".png")).sorted().limit(count).toList()) {
        images.add(decoder.decode(file));
      }
    }
    Segmenter.Builder base = Segmenter.builder().bundle(bundle).sessionConfig(SessionConfig.cpuOnly());
    try (Segmenter oneAtATime = base.build();
        Segmenter batching = base.batching(callers, Duration.ofMillis(5)).build();
        ExecutorService pool = Executors.newFixedThreadPool(callers)) {
      for (Segmenter s : List.of(oneAtATime, batching)) {
        s.segment(images.get(0), SegmentRequest.defaults());   // warm-up
      }
      System.out.println("round mode images_per_s p50_ms p99_ms");
      for (int round = 1; round <= rounds; round++) {
        report(round, "one-at-a-time", callers(oneAtATime, images, callers, pool));
        report(round, "dynamic-batching", callers(batching, images, callers, pool));
        report(round, "segmentBatch", batches(oneAtATime, images, callers));
      }
    }
  }

  /** Wall seconds first, then each call's latency in ms; caller c segments images c, c + callers, ... */
  static double[] callers(Segmenter s, List<DecodedImage> images, int callers, ExecutorService pool)
      throws Exception {
    CyclicBarrier start = new CyclicBarrier(callers + 1);
    List<Future<double[]>> work = new ArrayList<>();
    for (int c = 0; c < callers; c++) {
      int firstImage = c;
      work.add(pool.submit(() -> {
        start.await();
        List<Double> latencies = new ArrayList<>();
        for (int i = firstImage; i < images.size(); i += callers) {
          long t = System.nanoTime();
          s.segment(images.get(i), SegmentRequest.defaults());
          latencies.add((System.nanoTime() - t) / 1e6);
        }
        return latencies.stream().mapToDouble(Double::doubleValue).toArray();
      }));
    }
    start.await();
    long begin = System.nanoTime();
    List<Double> all = new ArrayList<>();
    for (Future<double[]> f : work) {
      for (double v : f.get()) {
        all.add(v);
      }
    }
    return withWall((System.nanoTime() - begin) / 1e9, all);
  }

  /** One caller, batches of {@code size}; each image's latency is its batch's. */
  private static double[] batches(Segmenter s, List<DecodedImage> images, int size) throws Exception {
    List<Double> all = new ArrayList<>();
    long begin = System.nanoTime();
    for (int i = 0; i < images.size(); i += size) {
      List<DecodedImage> batch = images.subList(i, Math.min(images.size(), i + size));
      long t = System.nanoTime();
      s.segmentBatch(batch, SegmentRequest.defaults());
      double ms = (System.nanoTime() - t) / 1e6;
      batch.forEach(image -> all.add(ms));
    }
    return withWall((System.nanoTime() - begin) / 1e9, all);
  }

  private static double[] withWall(double wall, List<Double> latencies) {
    double[] out = new double[latencies.size() + 1];
    out[0] = wall;
    for (int i = 0; i < latencies.size(); i++) {
      out[i + 1] = latencies.get(i);
    }
    return out;
  }

  private static void report(int round, String mode, double[] wallAndLatencies) {
    double[] latencies = Arrays.copyOfRange(wallAndLatencies, 1, wallAndLatencies.length);
    Arrays.sort(latencies);
    System.out.printf(Locale.ROOT, "%d %s %.2f %.1f %.1f%n", round, mode, latencies.length / wallAndLatencies[0],
        latencies[(int) Math.floor(0.5 * (latencies.length - 1))],
        latencies[(int) Math.ceil(0.99 * (latencies.length - 1))]);
  }
}
