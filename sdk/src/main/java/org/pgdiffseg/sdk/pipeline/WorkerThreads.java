package org.pgdiffseg.sdk.pipeline;

import org.pgdiffseg.sdk.runtime.SessionConfig;

/**
 * The intra-op threads a Segmenter's sessions get when its {@link SessionConfig} leaves them at 0: the cores
 * shared among its workers, {@code cores / workers} and at least one. All workers run on the same two sessions, so
 * a thread count per core and worker would have n workers' calls take turns on the same cores; and an explicit count
 * follows the cores a container is given, which ONNX Runtime's own choice (the host's physical cores) need not.
 * Chosen by measurement: docs/throughput.md, "Deployment defaults". Stateless.
 */
final class WorkerThreads {
  private WorkerThreads() {}

  /** {@code requested} as it is when it names its intra-op threads; else with cores / workers of them. */
  static SessionConfig resolve(SessionConfig requested, int workers, int cores) {
    if (requested.intraOpThreads() != 0) {
      return requested;
    }
    return requested.toBuilder().intraOpThreads(Math.max(1, cores / Math.max(1, workers))).build();
  }
}
