package org.pgdiffseg.sdk.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.ValueLayout;
import org.junit.jupiter.api.Test;
import org.pgdiffseg.sdk.bundle.ModelBundle;
import org.pgdiffseg.sdk.bundle.TestBundles;
import org.pgdiffseg.sdk.runtime.ResidentMemory;
import org.pgdiffseg.sdk.runtime.SessionConfig;

/**
 * The short soak: many segmentations on the test bundle must not grow the process's resident memory once
 * ONNX Runtime's arenas and the JIT have reached their working size. A leak of one ensemble tensor per run
 * (20 KiB here) would add 29 MiB over the 1,500 measured runs; the allowance is 16 MiB, above the
 * one-off steps of a few MiB that glibc's arenas take. The 2,000-run soak on the default model is
 * {@code pgdiffseg bench --runs 2000 --rss-every 100} (docs/benchmarks.md).
 */
class NativeMemorySoakTest {
  static final int MEASURED_RUNS = 1500;
  static final long ALLOWANCE_KIB = 16 * 1024;

  static long residentKiB() {
    return ResidentMemory.kib().orElseThrow(() -> new IllegalStateException("no VmRSS in /proc/self/status"));
  }

  /**
   * glibc's malloc_trim(0): hands the free pages of every malloc arena back to the system, so that memory
   * freed by earlier tests, still resident, cannot absorb new allocations unseen. A no-op without glibc.
   */
  static void trimNativeHeap() throws Throwable {
    var trim = Linker.nativeLinker().defaultLookup().find("malloc_trim");
    if (trim.isPresent()) {
      int ignored = (int) Linker.nativeLinker()
          .downcallHandle(trim.get(), FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_LONG))
          .invokeExact(0L);
    }
  }

  /** Resident KiB gained over {@code measured} calls of {@code run}, after {@code warm} calls. */
  static long growthKiB(ThrowingRunnable run, int warm, int measured) throws Throwable {
    for (int i = 0; i < warm; i++) {
      run.run();
    }
    System.gc();
    trimNativeHeap();
    long settled = residentKiB();
    for (int i = 0; i < measured; i++) {
      run.run();
    }
    System.gc();
    trimNativeHeap();
    return residentKiB() - settled;
  }

  interface ThrowingRunnable {
    void run() throws Exception;
  }

  @Test
  void residentMemoryStaysFlatOverManySegmentations() throws Throwable {
    assumeTrue(ResidentMemory.kib().isPresent(), "resident memory is read from /proc (Linux)");
    float[] image = new float[32 * 32];
    for (int i = 0; i < image.length; i++) {
      image[i] = (float) Math.sin(i * 0.37);
    }
    try (Segmenter segmenter = Segmenter.builder().bundle(ModelBundle.open(TestBundles.tiny())).steps(5).ensemble(5)
        .gating(false).concurrency(1).sessionConfig(SessionConfig.cpuOnly().toBuilder().intraOpThreads(1).build())
        .build()) {
      long grown = growthKiB(() -> segmenter.segmentPreprocessed("soak", image, 64, 64, SegmentRequest.defaults()),
          300, MEASURED_RUNS);
      assertThat(grown).as("resident KiB grown over %s segmentations", MEASURED_RUNS).isLessThan(ALLOWANCE_KIB);
    }
  }

  @Test
  void theMeasureSeesALeakOfOneEnsembleTensorPerRun() throws Throwable {
    assumeTrue(ResidentMemory.kib().isPresent(), "resident memory is read from /proc (Linux)");
    try (Arena leak = Arena.ofShared()) {
      long grown = growthKiB(() -> leak.allocate(5 * 32 * 32 * Float.BYTES).fill((byte) 1), 0, MEASURED_RUNS);
      assertThat(grown).isGreaterThan(ALLOWANCE_KIB);
    }
  }
}
