package org.pgdiffseg.sdk.testing;

import com.sun.management.ThreadMXBean;
import java.lang.management.ManagementFactory;

/** Java heap bytes allocated by code under test, on the calling thread, robust to the JIT's own warm-up. */
public final class HeapAllocations {
  private static final ThreadMXBean THREADS = (ThreadMXBean) ManagementFactory.getThreadMXBean();

  /** One measured round of the code under test; returns the bytes it allocated. */
  @FunctionalInterface
  public interface Round {
    long allocatedBytes() throws Exception;
  }

  private HeapAllocations() {}

  /** Bytes allocated so far by the calling thread. */
  public static long sinceThreadStart() {
    return THREADS.getCurrentThreadAllocatedBytes();
  }

  /**
   * Runs rounds until one allocates nothing, at most {@code rounds}, and returns the last round's bytes. On a loaded
   * machine the JIT may still be compiling a path after the warm-up, and its adapters allocate once; an allocation
   * of the code under test itself shows in every round, so the result stays above zero.
   */
  public static long untilNoneAllocated(int rounds, Round round) throws Exception {
    long allocated = Long.MAX_VALUE;
    for (int i = 0; i < rounds && allocated != 0; i++) {
      allocated = round.allocatedBytes();
    }
    return allocated;
  }
}
