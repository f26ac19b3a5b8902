package org.pgdiffseg.spark;

import java.util.concurrent.atomic.AtomicInteger;
import org.pgdiffseg.sdk.BundleException;
import org.pgdiffseg.sdk.pipeline.Segmenter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Segmenters of this JVM, one per bundle and options, opened by the first task that needs one and shared
 * by every task of the executor after it, sized by {@link SegmentOptions#sizing}: the images of the tasks running
 * at once are batched into shared graph calls by default, and no task waits for a worker. At most {@value #CAPACITY} are kept: each holds a loaded model (tens of MB for the default bundle), so
 * a sweep over seeds or steps on long-lived executors would otherwise keep one per setting for ever. The least
 * recently used one is closed when a task needs another, but never while a task still uses it. All are closed
 * when the executor stops ({@link SegmenterPlugin}) or, failing that, when the JVM exits.
 *
 * <p>Thread-safe: opening is serialized, so concurrent first tasks load the model once.
 */
final class ExecutorSegmenters {
  /** Segmenters kept open per JVM: the current job's, and a couple more for jobs that alternate settings. */
  static final int CAPACITY = 3;

  private static final Logger LOG = LoggerFactory.getLogger(ExecutorSegmenters.class);
  private static final AtomicInteger OPENED = new AtomicInteger();
  private static final AtomicInteger CLOSED = new AtomicInteger();
  private static final LeasedCache<SegmentOptions, Segmenter> OPEN = new LeasedCache<>(CAPACITY, segmenter -> {
    LOG.info("Closing {}", segmenter.bundle());
    segmenter.close();
    CLOSED.incrementAndGet();
  });

  static {
    Runtime.getRuntime().addShutdownHook(new Thread(ExecutorSegmenters::closeAll, "pgdiffseg-close-segmenters"));
  }

  private ExecutorSegmenters() {}

  /**
   * A lease on this JVM's Segmenter for {@code options}, opened now if no task holds one for them; close the
   * lease when the task is done with it.
   */
  static LeasedCache<SegmentOptions, Segmenter>.Lease acquire(SegmentOptions options, int executorCores)
      throws BundleException {
    return OPEN.acquire(options.segmenterKey(), key -> open(key, executorCores));
  }

  private static Segmenter open(SegmentOptions options, int executorCores) throws BundleException {
    SegmentOptions.Sizing sizing = options.sizing(executorCores);
    Segmenter segmenter = options.apply(Segmenter.builder().bundle(BundleLocator.resolve(options.model())))
        .concurrency(sizing.workers()).sessionConfig(options.sessionConfig(sizing.workers()))
        .batching(sizing.maxBatch(), sizing.maxWait()).build();
    OPENED.incrementAndGet();
    LOG.info("Opened {} on {} with {} worker(s) for {} concurrent task(s), {}", segmenter.bundle(), segmenter.device(),
        sizing.workers(), executorCores, sizing.maxBatch() > 1 ? "their images batched up to " + sizing.maxBatch()
            + " within " + sizing.maxWait().toMillis() + " ms" : "no batching");
    return segmenter;
  }

  /** Closes every Segmenter of this JVM; a later task opens a new one. */
  static void closeAll() {
    OPEN.closeAll();
  }

  static int openedCount() {
    return OPENED.get();
  }

  static int closedCount() {
    return CLOSED.get();
  }
}
