package org.pgdiffseg.samples;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;

/** Plain progress lines: one per finished item, and the step of an item that runs past the interval. */
class ProgressTest {
  @Test
  void plainLinesCountItemsAndReportStepsOfLongItems() {
    StringWriter text = new StringWriter();
    try (Progress progress = new Progress(null, new PrintWriter(text, true), 2, 0)) {
      progress.begin("a.png");
      progress.steps().onStep(500, 1000, 499);
      progress.done("a.png");
      progress.begin("b.png");
      progress.done(null);
    }
    assertThat(text.toString()).contains("pgdiffseg: a.png step 500/1000").contains("[1/2] a.png")
        .doesNotContain("b.png");
  }

  @Test
  void stepsWithinTheIntervalPrintNothing() {
    StringWriter text = new StringWriter();
    try (Progress progress = new Progress(null, new PrintWriter(text, true), -1, Long.MAX_VALUE)) {
      progress.begin("a.png");
      for (int step = 1; step <= 1000; step++) {
        progress.steps().onStep(step, 1000, 1000 - step);
      }
      progress.done("PASSED a check");
    }
    assertThat(text.toString()).isEqualTo("[1] PASSED a check" + System.lineSeparator());
  }
}
