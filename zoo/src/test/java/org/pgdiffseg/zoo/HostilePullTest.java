package org.pgdiffseg.zoo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import com.sun.net.httpserver.HttpServer;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pgdiffseg.sdk.BundleException;

/** What a hostile bundle zip or server can do to {@code zoo pull}: nothing outside the cache, no endless wait. */
class HostilePullTest {
  @TempDir Path root;
  Path cache;
  HttpServer server;
  final CountDownLatch release = new CountDownLatch(1);

  @BeforeEach
  void serve() throws Exception {
    cache = root.resolve("cache");
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext("/endless", exchange -> {
      exchange.sendResponseHeaders(200, 0);   // chunked, no length announced
      try (OutputStream out = exchange.getResponseBody()) {
        byte[] chunk = new byte[64 * 1024];
        for (int i = 0; i < 1024; i++) {   // 64 MiB at most: the client must stop long before
          out.write(chunk);
        }
      } catch (java.io.IOException clientGaveUp) {
        // expected once the client abandons the download
      }
    });
    server.createContext("/announced", exchange -> {
      exchange.sendResponseHeaders(200, 1L << 40);   // a terabyte announced
      try {
        exchange.getResponseBody().write(new byte[10]);
        exchange.getResponseBody().flush();
      } catch (java.io.IOException clientGaveUp) {
        // expected: the client refuses on the headers
      }
      exchange.close();
    });
    server.createContext("/silent", exchange -> {
      exchange.sendResponseHeaders(200, 1000);
      exchange.getResponseBody().write(new byte[10]);
      exchange.getResponseBody().flush();
      try {
        release.await();   // the body never comes
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      exchange.close();
    });
    server.createContext("/trickle", exchange -> {
      exchange.sendResponseHeaders(200, 100_000);
      try (OutputStream out = exchange.getResponseBody()) {
        while (!release.await(50, java.util.concurrent.TimeUnit.MILLISECONDS)) {   // one byte every 50 ms
          out.write(0);
          out.flush();
        }
      } catch (java.io.IOException | InterruptedException clientGaveUp) {
        // expected once the client abandons the download
      }
    });
    server.createContext("/steady", exchange -> {
      exchange.sendResponseHeaders(200, 0);   // chunked: fast enough for any rate, but it never ends
      try (OutputStream out = exchange.getResponseBody()) {
        byte[] chunk = new byte[1024];
        while (!release.await(20, java.util.concurrent.TimeUnit.MILLISECONDS)) {
          out.write(chunk);
          out.flush();
        }
      } catch (java.io.IOException | InterruptedException clientGaveUp) {
        // expected once the client abandons the download
      }
    });
    server.setExecutor(java.util.concurrent.Executors.newCachedThreadPool());
    server.start();
  }

  @AfterEach
  void stop() {
    release.countDown();
    server.stop(0);
  }

  URI url(String path) {
    return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + path);
  }

  /** The tiny bundle zipped with {@code version} written into its manifest. */
  Path bundleZipWithVersion(String version) throws Exception {
    Path folder = ModelZoo.copyEmbedded(ModelZooTest.TINY, root.resolve("src-" + Math.abs(version.hashCode())));
    Path manifest = folder.resolve("bundle.json");
    Files.writeString(manifest, Files.readString(manifest).replaceFirst("\"version\" *: *\"[^\"]*\"",
        "\"version\": \"" + version + "\""));
    return Zips.zip(folder, root.resolve("evil-" + Math.abs(version.hashCode()) + ".zip"));
  }

  @Test
  void aVersionThatClimbsOutOfTheCacheIsRefusedAndTouchesNothing() throws Exception {
    ModelZoo zoo = new ModelZoo(cache, ZooIndex.embedded());
    zoo.get(ModelZooTest.TINY);   // the cache holds the id, as on every machine that ran the CLI once
    Path victim = Files.createDirectories(root.resolve("victim"));
    Files.writeString(victim.resolve("precious.txt"), "keep me");
    for (String version : new String[] {"../../../victim", "../../../../victim", "/tmp/x", "..", "a/b"}) {
      Path zip = bundleZipWithVersion(version);
      assertThatThrownBy(() -> zoo.pull(zip.toUri(), null, false)).as(version).isInstanceOf(BundleException.class)
          .hasMessageContaining("version");
    }
    assertThat(victim.resolve("precious.txt")).hasContent("keep me");
    try (var left = Files.list(cache.resolve("models"))) {
      assertThat(left.map(p -> p.getFileName().toString())).containsExactly(ModelZooTest.TINY);
    }
  }

  @Test
  void cacheEntriesAreAlwaysPlainNamesInsideTheCache() throws Exception {
    ModelZoo zoo = new ModelZoo(cache, ZooIndex.embedded());
    for (String bad : new String[] {"..", "../x", "a/b", "/abs", "", ".hidden", "a\\b", "x\0y"}) {
      assertThatThrownBy(() -> zoo.cacheEntry("model", bad)).as(bad).isInstanceOf(IllegalArgumentException.class);
      assertThatThrownBy(() -> zoo.cacheEntry(bad, "1.0.0")).as(bad).isInstanceOf(IllegalArgumentException.class);
    }
    assertThat(zoo.cacheEntry("model", "1.0.0+cpu").startsWith(cache.toAbsolutePath())).isTrue();
  }

  @Test
  void aDownloadPastTheLimitIsAbandoned() {
    BoundedDownload download = new BoundedDownload(HttpClient.newHttpClient(), 1 << 20, Duration.ofSeconds(30));
    Path out = root.resolve("endless.zip");
    assertTimeoutPreemptively(Duration.ofSeconds(30), () -> assertThatThrownBy(() -> download.fetch(url("/endless"), out))
        .isInstanceOf(BundleException.class).hasMessageContaining("limit of 1048576 bytes"));
    assertThat(out.toFile().length()).isLessThanOrEqualTo(1 << 20);
  }

  @Test
  void anAnnouncedSizePastTheLimitIsRefusedBeforeTheBody() {
    BoundedDownload download = new BoundedDownload(HttpClient.newHttpClient(), 1 << 20, Duration.ofSeconds(30));
    assertThatThrownBy(() -> download.fetch(url("/announced"), root.resolve("big.zip")))
        .isInstanceOf(BundleException.class).hasMessageContaining("announces 1099511627776 bytes");
  }

  @Test
  void aBodyThatNeverArrivesTimesOutAndLeavesNoStagingFolder() throws Exception {
    ModelZoo zoo = new ModelZoo(cache, ZooIndex.embedded(), Duration.ofSeconds(2));
    assertTimeoutPreemptively(Duration.ofSeconds(30), () -> assertThatThrownBy(() -> zoo.pull(url("/silent"), null, true))
        .isInstanceOf(BundleException.class).hasMessageContaining("no data for 2 s"));
    try (var left = Files.list(cache.resolve("models"))) {
      assertThat(left.toList()).isEmpty();
    }
  }

  void assertNoStagingLeft() throws Exception {
    try (var left = Files.list(cache.resolve("models"))) {
      assertThat(left.toList()).isEmpty();
    }
  }

  @Test
  void aServerThatTricklesIsAbandonedBelowTheMinimumRate() throws Exception {
    ModelZoo zoo = ModelZoo.builder(cache, ZooIndex.embedded()).idleTimeout(Duration.ofSeconds(10))
        .minimumRate(1000, Duration.ofSeconds(1)).build();
    assertTimeoutPreemptively(Duration.ofSeconds(30), () -> assertThatThrownBy(() -> zoo.pull(url("/trickle"), null, true))
        .isInstanceOf(BundleException.class).hasMessageContaining("under the minimum rate of 1000 bytes/s"));
    assertNoStagingLeft();
  }

  @Test
  void aDownloadThatNeverEndsIsAbandonedAtTheDeadline() throws Exception {
    ModelZoo zoo = ModelZoo.builder(cache, ZooIndex.embedded()).deadline(Duration.ofSeconds(2))
        .minimumRate(1, Duration.ofSeconds(1)).build();
    assertTimeoutPreemptively(Duration.ofSeconds(30), () -> assertThatThrownBy(() -> zoo.pull(url("/steady"), null, true))
        .isInstanceOf(BundleException.class).hasMessageContaining("not complete after 2 s"));
    assertNoStagingLeft();
  }

  @Test
  void downloadLimitsRefuseSettingsThatCannotWork() {
    assertThatThrownBy(() -> DownloadLimits.DEFAULT.withDeadline(Duration.ZERO))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("deadline");
    assertThatThrownBy(() -> DownloadLimits.DEFAULT.withMinimumRate(-1, Duration.ofSeconds(1)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("minimum rate");
  }

  @Test
  @org.junit.jupiter.api.condition.EnabledOnOs(org.junit.jupiter.api.condition.OS.LINUX)
  void aLocalPathThatIsADeviceIsRefusedUnread() throws Exception {
    ModelZoo zoo = new ModelZoo(cache, ZooIndex.embedded());
    assertTimeoutPreemptively(Duration.ofSeconds(20), () -> assertThatThrownBy(
        () -> zoo.pull(Path.of("/dev/zero").toUri(), null, false)).isInstanceOf(BundleException.class)
        .hasMessageContaining("/dev/zero: not a regular file"));
    assertNoStagingLeft();
  }

  @Test
  @org.junit.jupiter.api.condition.EnabledOnOs({org.junit.jupiter.api.condition.OS.LINUX,
      org.junit.jupiter.api.condition.OS.MAC})
  void aLocalPathThatIsAFifoIsRefusedWithoutBlocking() throws Exception {
    Path fifo = root.resolve("bundle.zip");
    assertThat(new ProcessBuilder("mkfifo", fifo.toString()).start().waitFor()).isZero();
    ModelZoo zoo = new ModelZoo(cache, ZooIndex.embedded());
    assertTimeoutPreemptively(Duration.ofSeconds(20), () -> assertThatThrownBy(() -> zoo.pull(fifo.toUri(), null, false))
        .isInstanceOf(BundleException.class).hasMessageContaining(fifo + ": not a regular file"));
    assertNoStagingLeft();
  }

  @Test
  void aLocalFileOverTheZipLimitIsRefusedUncopied() throws Exception {
    Path big = root.resolve("big.zip");
    try (var file = new java.io.RandomAccessFile(big.toFile(), "rw")) {
      file.setLength((1L << 30) + 1);   // sparse: takes no disk
    }
    ModelZoo zoo = new ModelZoo(cache, ZooIndex.embedded());
    assertThatThrownBy(() -> zoo.pull(big.toUri(), null, false)).isInstanceOf(BundleException.class)
        .hasMessageContaining(big + ": 1073741825 bytes, over the limit of 1073741824 bytes for a bundle zip");
    assertNoStagingLeft();
  }

  @Test
  void aCacheThatCannotBeCreatedSaysHowToChooseAnother() throws Exception {
    Path file = Files.writeString(root.resolve("not-a-folder"), "x");
    ModelZoo zoo = new ModelZoo(file.resolve("cache"), ZooIndex.embedded());
    assertThatThrownBy(() -> zoo.get(ModelZooTest.TINY)).isInstanceOf(BundleException.class)
        .hasMessageContaining(file.resolve("cache").toString())
        .hasMessageContaining("PGDIFFSEG_CACHE").hasMessageContaining("pgdiffseg.cache");
  }
}
