package org.pgdiffseg.samples;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pgdiffseg.sdk.bundle.TestBundles;

/**
 * A host JVM with a long command line (an IDE's or an application server's classpath) starts ONNX Runtime and
 * segments normally: ONNX Runtime's start-up used to overflow the main thread's stack on its command line and
 * kill such a JVM with SIGSEGV (exit 139).
 */
class LongCommandLineTest {
  @TempDir Path tmp;

  @Test
  void aJvmWithOver16KbOfClasspathSegments() throws Exception {
    StringBuilder padding = new StringBuilder();
    for (int i = 0; padding.length() < 20_000; i++) {
      padding.append(File.pathSeparator).append(tmp.resolve("no-such-library-folder-of-a-long-host-classpath-" + i));
    }
    Path image = Files.write(tmp.resolve("scan.png"),
        Files.readAllBytes(TestBundles.tiny().resolve("fixtures/preprocess_input.png")));
    Path log = tmp.resolve("log.txt");
    ProcessBuilder pb = ChildCli.command(Map.of(), log, "segment", "--model", TestBundles.tiny().toString(),
        "--steps", "2", "--cpu", "--out", tmp.resolve("out").toString(), image.toString());
    int cp = pb.command().indexOf("-cp") + 1;
    pb.command().set(cp, pb.command().get(cp) + padding);
    pb.environment().remove("ORT_DISABLE_TELEMETRY");   // the SDK must not depend on its host setting it
    assertThat(String.join(" ", pb.command()).length()).isGreaterThan(16_384);
    Process p = pb.start();
    assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).as(Files.readString(log)).isZero();
    assertThat(tmp.resolve("out/scan_mask.png")).exists();
  }
}
