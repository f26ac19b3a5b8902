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
import org.pgdiffseg.sdk.BundleException;

/**
 * An HTTP(S) download into a file that stops at a byte limit (checked against Content-Length first, then
 * while the body arrives) and when no byte has arrived for an idle timeout, so a server can neither fill the
 * disk nor hold the caller forever. HttpClient's own request timeout covers only the response headers.
 */
final class BoundedDownload {
  private final HttpClient http;
  private final long maxBytes;
  private final Duration idleTimeout;

  BoundedDownload(HttpClient http, long maxBytes, Duration idleTimeout) {
    this.http = http;
    this.maxBytes = maxBytes;
    this.idleTimeout = idleTimeout;
  }

  /** Fetches {@code source} into {@code out}; returns the number of bytes written. */
  long fetch(URI source, Path out) throws BundleException {
    AtomicLong lastProgress = new AtomicLong(System.nanoTime());
    HttpRequest request = HttpRequest.newBuilder(source).timeout(idleTimeout).GET().build();
    CompletableFuture<HttpResponse<Long>> response =
        http.sendAsync(request, info -> subscriber(info, source, out, lastProgress));
    try {
      while (true) {
        try {
          HttpResponse<Long> r = response.get(Math.min(1000, idleTimeout.toMillis()), TimeUnit.MILLISECONDS);
          if (r.statusCode() != 200) {
            throw new BundleException(source + ": HTTP " + r.statusCode());
          }
          return r.body();
        } catch (TimeoutException stillRunning) {
          long idle = System.nanoTime() - lastProgress.get();
          if (idle > idleTimeout.toNanos()) {
            response.cancel(true);
            throw new BundleException(source + ": no data for " + idleTimeout.toSeconds()
                + " s; download abandoned");
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

  private HttpResponse.BodySubscriber<Long> subscriber(HttpResponse.ResponseInfo info, URI source, Path out,
      AtomicLong lastProgress) {
    if (info.statusCode() != 200) {
      return HttpResponse.BodySubscribers.replacing(0L);
    }
    FileWriter writer = new FileWriter(source, out, lastProgress);
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
    private final CompletableFuture<Long> body = new CompletableFuture<>();
    private FileChannel channel;
    private Flow.Subscription subscription;
    private long written;

    FileWriter(URI source, Path out, AtomicLong lastProgress) {
      this.source = source;
      this.out = out;
      this.lastProgress = lastProgress;
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
