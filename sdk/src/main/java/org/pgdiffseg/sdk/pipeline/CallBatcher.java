package org.pgdiffseg.sdk.pipeline;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.pgdiffseg.sdk.InferenceException;
import org.pgdiffseg.sdk.PgDiffSegException;
import org.pgdiffseg.sdk.imaging.DecodedImage;

/**
 * Dynamic batching of concurrent {@code segment} calls: calls with the same sampling options that arrive within
 * {@code maxWait} of each other are run as one batch (one graph call per step for all of them), up to
 * {@code maxBatch} images. The first call of a group leads: it waits for company until the group is full or its
 * wait is over, then runs the batch on its own thread and hands every member its own result; there is no
 * background thread. Each image's result is what it would get alone (the batch path guarantees it); when a batch
 * fails, its images are run one by one, so that one bad input fails alone. Thread-safe.
 */
final class CallBatcher {
  /** Runs images together, or one alone; the segmenter's two paths. */
  interface Runner {
    List<SegmentationResult> batch(List<DecodedImage> images, SamplingOptions options) throws PgDiffSegException;

    SegmentationResult alone(DecodedImage image, SamplingOptions options) throws PgDiffSegException;
  }

  private record Call(DecodedImage image, CompletableFuture<SegmentationResult> result) {}

  /** The calls gathered for one set of options, while their leader waits. */
  private static final class Group {
    final List<Call> calls = new ArrayList<>();
    boolean closed;
  }

  private final int maxBatch;
  private final long maxWaitNanos;
  private final Runner runner;
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition arrived = lock.newCondition();
  private final Map<SamplingOptions, Group> open = new HashMap<>();
  private final AtomicLong batches = new AtomicLong();
  private final AtomicLong calls = new AtomicLong();

  CallBatcher(int maxBatch, long maxWaitNanos, Runner runner) {
    this.maxBatch = maxBatch;
    this.maxWaitNanos = maxWaitNanos;
    this.runner = runner;
  }

  /** Segments {@code image} with {@code options}, together with whatever concurrent calls share them. */
  SegmentationResult segment(DecodedImage image, SamplingOptions options) throws PgDiffSegException {
    Call call = new Call(image, new CompletableFuture<>());
    calls.incrementAndGet();
    Group led = null;
    lock.lock();
    try {
      Group group = open.get(options);
      if (group == null) {
        group = new Group();
        open.put(options, group);
        led = group;
      }
      group.calls.add(call);
      if (group.calls.size() >= maxBatch) {
        close(options, group);
        arrived.signalAll();
      }
      if (led != null) {
        long remaining = maxWaitNanos;
        while (!led.closed && remaining > 0) {
          remaining = arrived.awaitNanos(remaining);
        }
        close(options, led);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      if (led != null) {
        close(options, led);   // the members are still run, below, whatever happened to the leader's wait
      }
    } finally {
      lock.unlock();
    }
    if (led != null) {
      run(led.calls, options);
    }
    return await(call);
  }

  /** How many batches ran and how many calls they served, for tests and benchmarks. */
  long batchesRun() {
    return batches.get();
  }

  long callsServed() {
    return calls.get();
  }

  private void close(SamplingOptions options, Group group) {
    group.closed = true;
    open.remove(options, group);
  }

  private void run(List<Call> group, SamplingOptions options) {
    batches.incrementAndGet();
    if (group.size() > 1) {
      try {
        List<SegmentationResult> results = runner.batch(group.stream().map(Call::image).toList(), options);
        for (int i = 0; i < group.size(); i++) {
          group.get(i).result().complete(results.get(i));
        }
        return;
      } catch (PgDiffSegException | RuntimeException | OutOfMemoryError e) {
        // retried one by one below, so that only the input at fault fails
      }
    }
    for (Call call : group) {
      try {
        call.result().complete(runner.alone(call.image(), options));
      } catch (PgDiffSegException | RuntimeException | Error e) {
        call.result().completeExceptionally(e);
      }
    }
  }

  private static SegmentationResult await(Call call) throws PgDiffSegException {
    try {
      return call.result().get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InferenceException("interrupted while waiting for a batch of concurrent calls", e);
    } catch (ExecutionException e) {
      Throwable cause = e.getCause();
      if (cause instanceof PgDiffSegException p) {
        throw p;
      }
      if (cause instanceof RuntimeException r) {
        throw r;
      }
      if (cause instanceof Error err) {
        throw err;
      }
      throw new InferenceException("a batch of concurrent calls failed: " + cause, cause);
    }
  }
}
