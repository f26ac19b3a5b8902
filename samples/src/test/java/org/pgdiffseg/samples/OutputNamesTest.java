package org.pgdiffseg.samples;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class OutputNamesTest {
  @Test
  void namesAreUniqueCaseInsensitivelyAndReadable() {
    OutputNames names = new OutputNames(StandardCharsets.UTF_8);
    assertThat(names.allocate(Path.of("a/x.png"), "")).isEqualTo("x");
    assertThat(names.allocate(Path.of("b/x.png"), "")).isEqualTo("x_png");
    assertThat(names.allocate(Path.of("c/x.png"), "")).isEqualTo("x_png_2");
    assertThat(names.allocate(Path.of("X.PNG"), "")).isEqualTo("X_PNG_3");
    assertThat(names.allocate(Path.of("scan.dcm"), "_f001")).isEqualTo("scan_f001");
    assertThat(names.allocate(Path.of("scan_f001.png"), "")).isEqualTo("scan_f001_png");
    assertThat(names.allocate(Path.of("café.png"), "")).isEqualTo("café");
  }

  @Test
  void charactersTheFileSystemCannotHoldBecomeUnderscores() {
    OutputNames ascii = new OutputNames(StandardCharsets.US_ASCII);
    assertThat(ascii.allocate(Path.of("café.png"), "")).isEqualTo("caf_");
    assertThat(ascii.allocate(Path.of("a\tb\uFFFD.png"), "")).isEqualTo("a_b_");
  }

  @Test
  void longStemsAreCutToFitAFileName() {
    String stem = new OutputNames(StandardCharsets.UTF_8).allocate(Path.of("é".repeat(300) + ".png"), "");
    assertThat((stem + "_overlay.png").getBytes(StandardCharsets.UTF_8).length).isLessThanOrEqualTo(255);
  }
}
