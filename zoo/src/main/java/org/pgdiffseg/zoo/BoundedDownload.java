package org.pgdiffseg.zoo;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.pgdiffseg.sdk.BundleException;

/**
 * An HTTP(S) download into a file that stops at a byte limit (checked against Content-Length first, then
 * while the body arrives) and at the {@link DownloadLimits} (idle timeout, overall deadline, minimum rate), so a
 * server can neither fill the disk nor hold the caller forever. HttpClient's own request timeout covers only the
 * response headers.
 */
final class BoundedDownload {
  private final HttpClient http;
  private final long maxBytes;
  private final DownloadLimits limits;

  BoundedDownload(HttpClient http, long maxBytes, Duration idleTimeout) {
    this(http, maxBytes, DownloadLimits.DEFAULT.withIdleTimeout(idleTimeout));
  }

  BoundedDownload(HttpClient http, long maxBytes, DownloadLimits limits) {
    this.http = http;
    this.maxBytes = maxBytes;
    this.limits = limits;
  }

  /** Fetches {@code source} into {@code out}; returns the number of bytes written. */
  long fetch(URI source, Path out) throws BundleException {
    long start = System.nanoTime();
    AtomicLong lastProgress = new AtomicLong(start);
    AtomicLong received = new AtomicLong();
    AtomicReference<FileWriter> writer = new AtomicReference<>();
    HttpRequest request = HttpRequest.newBuilder(source).timeout(limits.idleTimeout()).GET().build();
    CompletableFuture<HttpResponse<Long>> response =
        http.sendAsync(request, info -> subscriber(info, source, out, lastProgress, received, writer));
    RateWatch rate = new RateWatch(start);
    long poll = Math.max(10, Math.min(1000, Math.min(limits.idleTimeout().toMillis(),
        Math.min(limits.deadline().toMillis(), limits.rateWindow().toMillis())) / 4));
    try {
      while (true) {
        try {
          HttpResponse<Long> r = response.get(poll, TimeUnit.MILLISECONDS);
          if (r.statusCode() != 200) {
            throw new BundleException(source + ": HTTP " + r.statusCode());
          }
          return r.body();
        } catch (TimeoutException stillRunning) {
          BundleException stop = overLimit(source, start, lastProgress.get(), received.get(), rate);
          if (stop != null) {
            FileWriter w = writer.get();
            if (w != null) {
              w.fail(stop);   // cancels the subscription, so the connection is dropped, not drained
            }
            response.cancel(true);
            throw stop;
          }
        }
      }
    } catch (ExecutionException e) {
      for (Throwable cause = e.getCause(); cause != null; cause = cause.getCause()) {
        if (cause instanceof BundleException be) {
          throw be;
        }
      }
      throw new BundleException(source + ": download failed: " + e.getCause(), e.getCause());
    } catch (InterruptedException e) {
      response.cancel(true);
      Thread.currentThread().interrupt();
      throw new BundleException(source + ": download interrupted", e);
    }
  }

  /** The bytes received since the current rate window began. */
  private static final class RateWatch {
    long windowStart;
    long bytesAtStart;

    RateWatch(long start) {
      windowStart = start;
    }
  }

  /** Why the download must stop now, or null while it is within its limits. */
  private BundleException overLimit(URI source, long start, long lastProgress, long received, RateWatch rate) {
    long now = System.nanoTime();
    if (now - lastProgress > limits.idleTimeout().toNanos()) {
      return new BundleException(source + ": no data for " + DownloadLimits.describe(limits.idleTimeout())
          + "; download abandoned");
    }
    if (now - start > limits.deadline().toNanos()) {
      return new BundleException(source + ": not complete after " + DownloadLimits.describe(limits.deadline())
          + " (" + received + " bytes received); download abandoned");
    }
    long window = now - rate.windowStart;
    if (window >= limits.rateWindow().toNanos()) {
      long got = received - rate.bytesAtStart;
      if (got * 1_000_000_000.0 / window < limits.minBytesPerSecond()) {
        return new BundleException(source + ": " + got + " bytes in the last "
            + DownloadLimits.describe(limits.rateWindow()) + ", under the minimum rate of " + limits.minBytesPerSecond()
            + " bytes/s; download abandoned");
      }
      rate.windowStart = now;
      rate.bytesAtStart = received;
    }
    return null;
  }

  private HttpResponse.BodySubscriber<Long> subscriber(HttpResponse.ResponseInfo info, URI source, Path out,
      AtomicLong lastProgress, AtomicLong received, AtomicReference<FileWriter> writerRef) {
    if (info.statusCode() != 200) {
      return HttpResponse.BodySubscribers.replacing(0L);
    }
    FileWriter writer = new FileWriter(source, out, lastProgress, received);
    writerRef.set(writer);
    long declared = info.headers().firstValueAsLong("content-length").orElse(-1);
    if (declared > maxBytes) {
      writer.fail(new BundleException(source + ": the server announces " + declared
          + " bytes, over the limit of " + maxBytes + " bytes for a bundle zip"));
    }
    return writer;
  }

  /** Writes the body to the file, counting bytes against the limit and stamping each arrival. */
  private final class FileWriter implements HttpResponse.BodySubscriber<Long> {
    private final URI source;
    private final Path out;
    private final AtomicLong lastProgress;
    private final AtomicLong received;
    private final CompletableFuture<Long> body = new CompletableFuture<>();
    private volatile FileChannel channel;   // volatile: fail() may come from the thread that abandons the download
    private volatile Flow.Subscription subscription;
    private long written;

    FileWriter(URI source, Path out, AtomicLong lastProgress, AtomicLong received) {
      this.source = source;
      this.out = out;
      this.lastProgress = lastProgress;
      this.received = received;
    }

    @Override
    public CompletableFuture<Long> getBody() {
      return body;
    }

    void fail(Throwable failure) {
      body.completeExceptionally(failure);
      if (subscription != null) {
        subscription.cancel();
      }
      close();
    }

    @Override
    public void onSubscribe(Flow.Subscription s) {
      subscription = s;
      if (body.isDone()) {
        s.cancel();
        return;
      }
      try {
        channel = FileChannel.open(out, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
        s.request(1);
      } catch (IOException e) {
        fail(e);
      }
    }

    @Override
    public void onNext(List<ByteBuffer> buffers) {
      if (body.isDone()) {
        return;
      }
      try {
        for (ByteBuffer b : buffers) {
          written += b.remaining();
          if (written > maxBytes) {
            throw new BundleException(source + ": download passed the limit of " + maxBytes
                + " bytes for a bundle zip; abandoned");
          }
          while (b.hasRemaining()) {
            channel.write(b);
          }
        }
        received.set(written);
        lastProgress.set(System.nanoTime());
        subscription.request(1);
      } catch (IOException | BundleException e) {
        fail(e);
      }
    }

    @Override
    public void onError(Throwable t) {
      fail(t);
    }

    @Override
    public void onComplete() {
      close();
      body.complete(written);
    }

    private void close() {
      try {
        if (channel != null) {
          channel.close();
        }
      } catch (IOException ignored) {
        // the download's outcome is already decided
      }
    }
  }
}
