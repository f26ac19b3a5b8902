package org.pgdiffseg.benchmarks;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.stream.Stream;
import org.pgdiffseg.sdk.bundle.ModelBundle;
import org.pgdiffseg.sdk.imaging.DecodedImage;
import org.pgdiffseg.sdk.imaging.ImageDecoder;
import org.pgdiffseg.sdk.pipeline.SegmentRequest;
import org.pgdiffseg.sdk.pipeline.Segmenter;
import org.pgdiffseg.sdk.runtime.SessionConfig;

/**
 * Which workers x intra-op threads x spinning x dynamic batch a Segmenter should run with: {@code CALLERS} threads
 * segment {@code IMAGES} images (the folder's PNGs, repeated as needed) through one Segmenter per configuration and
 * bundle, on an idle machine and beside {@link CpuBurner} keeping every core busy in another process. The grid is
 * workers {1, 2} x threads {1, cores} x spinning {on, off} x max batch {1, 4} (5 ms wait); every configuration is
 * compared within its round with the settings a Segmenter got before (one worker, one thread per core, spinning,
 * no batching). Configurations run round robin in each of {@code ROUNDS} rounds,
 * in an order rotated every round, so that a noisy machine weighs on all alike. Prints a line per round and cell,
 * then a Markdown table: median images/s over rounds, p50 / p99 latency of a call over all rounds' calls, and the
 * median (and range) of the per-round throughput ratios against the former settings on the same bundle, and the
 * median against the former settings on the first bundle.
 *   java -cp CLASSPATH org.pgdiffseg.benchmarks.DeploymentSweep IMAGE_FOLDER CALLERS IMAGES ROUNDS BUNDLE...
 */
public final class DeploymentSweep {
  private DeploymentSweep() {}

  private static final Duration MAX_WAIT = Duration.ofMillis(5);

  /** One Segmenter's runtime sizing. */
  record Config(int workers, int threads, boolean spin, int maxBatch) {
    /**
     * What a Segmenter got before its defaults were measured: one worker, intra-op threads left to ONNX Runtime
     * (one per core) and spinning on. Named explicitly, since 0 threads now means cores / workers.
     */
    static Config former(int cores) {
      return new Config(1, cores, true, 1);
    }

    String label() {
      return "w" + workers + " t" + threads + (spin ? " spin" : " nospin") + " b" + maxBatch;
    }
  }

  record Cell(String load, String bundle, Config config) {}

  /** Each round's images/s, and every call's latency in ms over all rounds. */
  record Samples(List<Double> throughput, List<Double> latencies) {
    Samples() {
      this(new ArrayList<>(), new ArrayList<>());
    }
  }

  public static void main(String[] args) throws Exception {
    Path folder = Path.of(args[0]);
    int callers = Integer.parseInt(args[1]);
    int count = Integer.parseInt(args[2]);
    int rounds = Integer.parseInt(args[3]);
    List<Path> bundleDirs = Arrays.stream(args, 4, args.length).map(Path::of).toList();
    int cores = Runtime.getRuntime().availableProcessors();
    List<DecodedImage> images = images(folder, count);
    List<Config> grid = grid(cores);
    Config former = Config.former(cores);

    Map<String, Map<Config, Segmenter>> segmenters = new LinkedHashMap<>();
    try (ExecutorService pool = Executors.newFixedThreadPool(callers)) {
      for (Path dir : bundleDirs) {
        ModelBundle bundle = ModelBundle.open(dir);
        Map<Config, Segmenter> byConfig = new LinkedHashMap<>();
        segmenters.put(dir.getFileName().toString(), byConfig);
        for (Config c : grid) {
          Segmenter s = open(bundle, c);
          byConfig.put(c, s);
          ConcurrentCallers.callers(s, images.subList(0, callers), callers, pool);   // warm-up: every batch size's first run
        }
      }
      Map<Cell, Samples> samples = new LinkedHashMap<>();
      List<Cell> cells = new ArrayList<>();
      for (String load : List.of("idle", "loaded")) {
        for (String bundle : segmenters.keySet()) {
          for (Config c : grid) {
            Cell cell = new Cell(load, bundle, c);
            cells.add(cell);
            samples.put(cell, new Samples());
          }
        }
      }
      Map<Cell, List<Double>> ratios = new LinkedHashMap<>();
      Map<Cell, List<Double>> ratiosToFirst = new LinkedHashMap<>();
      String first = segmenters.keySet().iterator().next();
      System.out.println("round load bundle config images_per_s p50_ms p99_ms");
      for (int round = 1; round <= rounds; round++) {
        for (String load : List.of("idle", "loaded")) {
          List<Cell> order = new ArrayList<>(cells.stream().filter(c -> c.load().equals(load)).toList());
          Collections.rotate(order, (round - 1) * order.size() / rounds);
          Map<Cell, Double> thisRound = new LinkedHashMap<>();
          try (Burner burner = load.equals("idle") ? null : Burner.start(cores)) {
            for (Cell cell : order) {
              double[] run = ConcurrentCallers.callers(segmenters.get(cell.bundle()).get(cell.config()), images, callers, pool);
              Samples s = samples.get(cell);
              double throughput = (run.length - 1) / run[0];
              s.throughput().add(throughput);
              double[] lat = Arrays.copyOfRange(run, 1, run.length);
              Arrays.stream(lat).forEach(s.latencies()::add);
              thisRound.put(cell, throughput);
              Arrays.sort(lat);
              System.out.printf(Locale.ROOT, "%d %s %s %s %.2f %.1f %.1f%n", round, load, cell.bundle(),
                  cell.config().label().replace(' ', ','), throughput, quantile(lat, 0.5), quantile(lat, 0.99));
            }
          }
          for (Cell cell : order) {
            double own = thisRound.get(new Cell(load, cell.bundle(), former));
            double firsts = thisRound.get(new Cell(load, first, former));
            ratios.computeIfAbsent(cell, k -> new ArrayList<>()).add(thisRound.get(cell) / own);
            ratiosToFirst.computeIfAbsent(cell, k -> new ArrayList<>()).add(thisRound.get(cell) / firsts);
          }
        }
      }
      table(cells, samples, ratios, ratiosToFirst, first);
    } finally {
      for (Map<Config, Segmenter> byConfig : segmenters.values()) {
        for (Segmenter s : byConfig.values()) {
          s.close();
        }
      }
    }
  }

  static List<Config> grid(int cores) {
    List<Config> grid = new ArrayList<>();
    for (int workers : new int[] {1, 2}) {
      for (int threads : cores > 1 ? new int[] {1, cores} : new int[] {1}) {
        for (boolean spin : new boolean[] {true, false}) {
          for (int batch : new int[] {1, 4}) {
            grid.add(new Config(workers, threads, spin, batch));
          }
        }
      }
    }
    return grid;
  }

  private static Segmenter open(ModelBundle bundle, Config c) throws Exception {
    SessionConfig session = SessionConfig.cpuOnly().toBuilder().intraOpThreads(c.threads()).spinning(c.spin())
        .build();
    return Segmenter.builder().bundle(bundle).concurrency(c.workers()).sessionConfig(session)
        .batching(c.maxBatch(), c.maxBatch() > 1 ? MAX_WAIT : Duration.ZERO).build();
  }

  /** The folder's PNGs in name order, repeated until there are {@code count}. */
  private static List<DecodedImage> images(Path folder, int count) throws Exception {
    List<DecodedImage> distinct = new ArrayList<>();
    ImageDecoder decoder = new ImageDecoder();
    try (Stream<Path> files = Files.list(folder)) {
      for (Path file : files.filter(f -> f.toString().endsWith(".png")).sorted().limit(count).toList()) {
        distinct.add(decoder.decode(file));
      }
    }
    if (distinct.isEmpty()) {
      throw new IllegalArgumentException(folder + ": no .png images");
    }
    List<DecodedImage> images = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      images.add(distinct.get(i % distinct.size()));
    }
    return images;
  }

  private static void table(List<Cell> cells, Map<Cell, Samples> samples, Map<Cell, List<Double>> ratios,
      Map<Cell, List<Double>> ratiosToFirst, String first) {
    System.out.println();
    System.out.println("| machine | bundle | workers | intra-op threads | spinning | max batch | images/s | p50 ms"
        + " | p99 ms | x former, same bundle (range) | x former, " + first + " |");
    System.out.println("|---|---|---:|---:|---|---:|---:|---:|---:|---:|---:|");
    for (Cell cell : cells) {
      Samples s = samples.get(cell);
      double[] lat = s.latencies().stream().mapToDouble(Double::doubleValue).sorted().toArray();
      Config c = cell.config();
      List<Double> r = ratios.get(cell);
      System.out.printf(Locale.ROOT, "| %s | %s | %d | %d | %s | %d | %.2f | %.0f | %.0f | %.2f (%.2f-%.2f) | %.2f |%n",
          cell.load(), cell.bundle(), c.workers(), c.threads(), c.spin() ? "on" : "off", c.maxBatch(),
          median(s.throughput()), quantile(lat, 0.5), quantile(lat, 0.99), median(r), Collections.min(r),
          Collections.max(r), median(ratiosToFirst.get(cell)));
    }
  }

  private static double median(List<Double> values) {
    return quantile(values.stream().mapToDouble(Double::doubleValue).sorted().toArray(), 0.5);
  }

  /** Linear interpolation between the nearest ranks of a sorted array. */
  static double quantile(double[] sorted, double q) {
    double pos = q * (sorted.length - 1);
    int lo = (int) Math.floor(pos);
    int hi = (int) Math.ceil(pos);
    return sorted[lo] + (pos - lo) * (sorted[hi] - sorted[lo]);
  }

  /** {@link CpuBurner} in a JVM of its own, ended by closing its input (and destroyed if it lingers). */
  private record Burner(Process process) implements AutoCloseable {
    static Burner start(int threads) throws IOException, InterruptedException {
      String java = ProcessHandle.current().info().command().orElse("java");
      Process p = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
          CpuBurner.class.getName(), Integer.toString(threads))
          .redirectOutput(ProcessBuilder.Redirect.DISCARD).redirectError(ProcessBuilder.Redirect.INHERIT).start();
      Thread.sleep(1000);   // its JVM started and its threads burning before the first cell
      return new Burner(p);
    }

    @Override
    public void close() throws IOException, InterruptedException {
      process.getOutputStream().close();
      if (!process.waitFor(5, java.util.concurrent.TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor();
      }
    }
  }
}
