package org.pgdiffseg.samples;

import java.io.Console;
import java.io.PrintWriter;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;
import org.pgdiffseg.sdk.pipeline.ProgressListener;

/**
 * What a long command shows while it works. On a terminal: a progress bar over the items (images, checks)
 * whose message is the current item and, while it is denoised, its step. Elsewhere (logs, pipes): plain
 * lines, one per finished item, and for an item that runs long (DDPM's 1000 steps) its step every few
 * seconds. Step updates are rate-limited by a clock read, so the denoising loop does not pay for them.
 * One thread at a time.
 */
final class Progress implements AutoCloseable {
  static final long BAR_STEP_INTERVAL_NANOS = 200_000_000L;
  static final long PLAIN_STEP_INTERVAL_NANOS = 5_000_000_000L;

  private final ProgressBar bar;   // null: plain lines
  private final PrintWriter lines;
  private final long total;
  private final long stepIntervalNanos;
  private final ProgressListener steps = this::onStep;
  private long done;
  private String current = "";
  private long lastStepReport;

  Progress(ProgressBar bar, PrintWriter lines, long total, long stepIntervalNanos) {
    this.bar = bar;
    this.lines = lines;
    this.total = total;
    this.stepIntervalNanos = stepIntervalNanos;
  }

  /** A bar on a terminal, else plain lines to {@code lines}; {@code total} items, or -1 when not known. */
  static Progress start(String task, long total, PrintWriter lines) {
    if (!onTerminal()) {
      return new Progress(null, lines, total, PLAIN_STEP_INTERVAL_NANOS);
    }
    ProgressBar bar = new ProgressBarBuilder().setTaskName(task).setInitialMax(total).setStyle(ProgressBarStyle.ASCII)
        .continuousUpdate().build();
    return new Progress(bar, lines, total, BAR_STEP_INTERVAL_NANOS);
  }

  /** Since JDK 22 System.console() is there even when redirected; isTerminal says whether a person watches. */
  static boolean onTerminal() {
    Console console = System.console();
    return console != null && console.isTerminal();
  }

  boolean isBar() {
    return bar != null;
  }

  /** An item starts. */
  void begin(String item) {
    current = item;
    lastStepReport = System.nanoTime();
    if (bar != null) {
      bar.setExtraMessage(item);
    }
  }

  /** The denoising steps of the current item, for {@code SegmentRequest.withProgress}. */
  ProgressListener steps() {
    return steps;
  }

  private void onStep(int step, int totalSteps, int timestep) {
    long now = System.nanoTime();
    if (now - lastStepReport < stepIntervalNanos) {
      return;
    }
    lastStepReport = now;
    if (bar != null) {
      bar.setExtraMessage(current + " step " + step + "/" + totalSteps);
    } else {
      lines.printf("pgdiffseg: %s step %d/%d%n", current, step, totalSteps);
    }
  }

  /** The current item finished; {@code line} (null: none) is printed in plain mode, counted. */
  void done(String line) {
    done++;
    if (bar != null) {
      bar.step();
      if (line != null) {
        bar.setExtraMessage(line);
      }
    } else if (line != null) {
      lines.println((total > 0 ? "[" + done + "/" + total + "] " : "[" + done + "] ") + line);
    }
  }

  /** A line of the command's own output; on a terminal it first clears the bar's line, which is redrawn later. */
  void println(PrintWriter out, String line) {
    if (bar != null) {
      out.print("\r\u001b[K");
    }
    out.println(line);
  }

  @Override
  public void close() {
    if (bar != null) {
      bar.close();
    }
  }
}
