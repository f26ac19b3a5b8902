package org.pgdiffseg.samples;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** --spin / --no-spin: off unless asked for, as in the SDK (docs/throughput.md, "Deployment defaults"). */
class SpinOptionTest {
  private static ModelOptions parse(String... args) {
    ModelOptions options = new ModelOptions();
    new CommandLine(options).parseArgs(args);
    return options;
  }

  @Test
  void onlyAskingForItMakesOnnxRuntimeSpin() {
    assertThat(parse().sessionConfig().spinning()).isFalse();
    assertThat(parse("--spin").sessionConfig().spinning()).isTrue();
    assertThat(parse("--no-spin").sessionConfig().spinning()).isFalse();
    assertThat(parse().sessionConfig().intraOpThreads()).as("the Segmenter's cores / workers").isZero();
    assertThat(parse("--threads", "1").sessionConfig().intraOpThreads()).isEqualTo(1);
  }
}
