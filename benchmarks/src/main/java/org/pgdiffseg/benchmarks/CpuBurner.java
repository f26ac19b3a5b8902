package org.pgdiffseg.benchmarks;

import java.util.ArrayList;
import java.util.List;

/**
 * A process that keeps {@code THREADS} cores busy on floating-point arithmetic until it is killed or its standard
 * input closes: the "loaded machine" of {@link DeploymentSweep}, a neighbour competing for the cores as another
 * tenant's work would.
 *   java -cp CLASSPATH org.pgdiffseg.benchmarks.CpuBurner THREADS
 */
public final class CpuBurner {
  private CpuBurner() {}

  /** Read by every burning thread so the JIT cannot drop the loop; never printed. */
  private static volatile double sink;

  public static void main(String[] args) throws Exception {
    int threads = Integer.parseInt(args[0]);
    List<Thread> burners = new ArrayList<>();
    for (int i = 0; i < threads; i++) {
      Thread t = new Thread(CpuBurner::burn, "burner-" + i);
      t.setDaemon(true);
      t.start();
      burners.add(t);
    }
    // The parent closes our stdin (or dies) when it is done: then the daemons end with us.
    while (System.in.read() >= 0) {
      // discard
    }
  }

  private static void burn() {
    double x = 1.0;
    while (true) {
      for (int i = 0; i < 1_000_000; i++) {
        x = x * 1.000000001 + 1e-9;
        if (x > 1e6) {
          x = 1.0;
        }
      }
      sink = x;
    }
  }
}
