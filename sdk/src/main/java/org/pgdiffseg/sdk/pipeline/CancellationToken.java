package org.pgdiffseg.sdk.pipeline;

import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Asks a running segmentation to stop; it does so between denoising steps by throwing
 * {@link java.util.concurrent.CancellationException}, and the {@link Segmenter} stays usable.
 * Thread-safe: cancel from any thread.
 */
public final class CancellationToken {
  private final AtomicBoolean cancelled = new AtomicBoolean();

  public void cancel() {
    cancelled.set(true);
  }

  public boolean isCancelled() {
    return cancelled.get();
  }
}
