package org.pgdiffseg.spark;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.pgdiffseg.sdk.BundleException;
import org.pgdiffseg.sdk.pipeline.Segmenter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Segmenters of this JVM, one per bundle and options, opened by the first task that needs one and shared
 * by every task of the executor after it ({@code concurrency} = the executor's cores, so no task waits for a
 * worker). Closed when the executor stops ({@link SegmenterPlugin}) or, failing that, when the JVM exits.
 *
 * <p>Thread-safe: opening is serialized, so concurrent first tasks load the model once.
 */
final class ExecutorSegmenters {
  private static final Logger LOG = LoggerFactory.getLogger(ExecutorSegmenters.class);
  private static final Map<SegmentOptions, Segmenter> OPEN = new LinkedHashMap<>();
  private static final AtomicInteger OPENED = new AtomicInteger();
  private static final AtomicInteger CLOSED = new AtomicInteger();

  static {
    Runtime.getRuntime().addShutdownHook(new Thread(ExecutorSegmenters::closeAll, "pgdiffseg-close-segmenters"));
  }

  private ExecutorSegmenters() {}

  /** This JVM's Segmenter for {@code options}, opened now if it is the first call for them. */
  static synchronized Segmenter get(SegmentOptions options, int executorCores) throws BundleException {
    SegmentOptions key = options.segmenterKey();
    Segmenter open = OPEN.get(key);
    if (open != null) {
      return open;
    }
    int concurrency = options.concurrency() != null ? options.concurrency() : Math.min(64, executorCores);
    Segmenter segmenter = options.apply(Segmenter.builder().bundle(BundleLocator.resolve(options.model())))
        .concurrency(concurrency).sessionConfig(options.sessionConfig(concurrency)).build();
    OPENED.incrementAndGet();
    LOG.info("Opened {} on {} for {} concurrent images", segmenter.bundle(), segmenter.device(), concurrency);
    OPEN.put(key, segmenter);
    return segmenter;
  }

  /** Closes every Segmenter of this JVM; a later task opens a new one. */
  static synchronized void closeAll() {
    for (Segmenter segmenter : OPEN.values()) {
      segmenter.close();
      CLOSED.incrementAndGet();
    }
    OPEN.clear();
  }

  static int openedCount() {
    return OPENED.get();
  }

  static int closedCount() {
    return CLOSED.get();
  }
}
