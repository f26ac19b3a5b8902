package org.pgdiffseg.benchmarks;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import org.pgdiffseg.sdk.bundle.ModelBundle;
import org.pgdiffseg.sdk.pipeline.Segmenter;
import org.pgdiffseg.sdk.runtime.OrtRuntime;
import org.pgdiffseg.sdk.runtime.SessionConfig;

/**
 * What a Segmenter with n workers costs to open: wall time of {@code build()} and the growth of resident memory
 * it causes, in a JVM of its own (run once per n by {@code samples/worker-cost}). Uses only the SDK's public API,
 * so the same file measures any version of it. Prints one line: {@code n open_ms rss_growth_mib}.
 *   java -cp CLASSPATH WorkerOpenCost.java BUNDLE N
 */
public final class WorkerOpenCost {
  private WorkerOpenCost() {}

  public static void main(String[] args) throws Exception {
    ModelBundle bundle = ModelBundle.open(Path.of(args[0]));
    int n = Integer.parseInt(args[1]);
    // ONNX Runtime loaded and the bundle's files read (checksums) first, so the figure is the segmenter's own.
    OrtRuntime.shared().version();
    long before = residentBytes();
    long start = System.nanoTime();
    try (Segmenter segmenter = Segmenter.builder().bundle(bundle).concurrency(n)
        .sessionConfig(SessionConfig.cpuOnly()).build()) {
      double openMillis = (System.nanoTime() - start) / 1e6;
      long after = residentBytes();
      System.out.printf(Locale.ROOT, "%d %.1f %.1f%n", n, openMillis, (after - before) / 1048576.0);
    }
  }

  /** VmRSS of this process from /proc/self/status. */
  private static long residentBytes() throws Exception {
    for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
      if (line.startsWith("VmRSS:")) {
        return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
      }
    }
    throw new IllegalStateException("no VmRSS in /proc/self/status");
  }
}
