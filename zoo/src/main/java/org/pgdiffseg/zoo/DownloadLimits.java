package org.pgdiffseg.zoo;

import static com.google.common.base.Preconditions.checkArgument;

import java.time.Duration;

/**
 * How long a download may take: abandoned after {@code idleTimeout} without a byte, when not complete after
 * {@code deadline}, and when fewer than {@code minBytesPerSecond} arrive on average over any {@code rateWindow}
 * (a server sending one byte every 20 s passes any idle timeout, but not the rate). Immutable.
 */
public record DownloadLimits(Duration idleTimeout, Duration deadline, long minBytesPerSecond, Duration rateWindow) {
  /**
   * 60 s idle, 1 h in all, at least 8 KiB/s over each minute: a 250 MB bundle needs 70 KB/s to finish within the
   * hour, and a link too slow for that fails with a message instead of holding the caller for days.
   */
  public static final DownloadLimits DEFAULT =
      new DownloadLimits(Duration.ofSeconds(60), Duration.ofHours(1), 8 * 1024, Duration.ofSeconds(60));

  public DownloadLimits {
    checkArgument(isPositive(idleTimeout), "idle timeout must be positive, got %s", idleTimeout);
    checkArgument(isPositive(deadline), "deadline must be positive, got %s", deadline);
    checkArgument(minBytesPerSecond >= 0, "minimum rate must be >= 0 bytes/s, got %s", minBytesPerSecond);
    checkArgument(isPositive(rateWindow), "rate window must be positive, got %s", rateWindow);
  }

  public DownloadLimits withIdleTimeout(Duration idle) {
    return new DownloadLimits(idle, deadline, minBytesPerSecond, rateWindow);
  }

  public DownloadLimits withDeadline(Duration total) {
    return new DownloadLimits(idleTimeout, total, minBytesPerSecond, rateWindow);
  }

  public DownloadLimits withMinimumRate(long bytesPerSecond, Duration window) {
    return new DownloadLimits(idleTimeout, deadline, bytesPerSecond, window);
  }

  /** A duration as messages print it: whole seconds when it is some, else milliseconds. */
  static String describe(Duration d) {
    return d.toMillis() % 1000 == 0 ? d.toSeconds() + " s" : d.toMillis() + " ms";
  }

  private static boolean isPositive(Duration d) {
    return d != null && !d.isNegative() && !d.isZero();
  }
}
