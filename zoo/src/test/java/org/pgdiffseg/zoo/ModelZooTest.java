package org.pgdiffseg.zoo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.common.hash.Hashing;
import com.google.common.io.MoreFiles;
import com.sun.net.httpserver.HttpServer;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pgdiffseg.sdk.BundleException;
import org.pgdiffseg.sdk.bundle.ModelBundle;

class ModelZooTest {
  static final String TINY = "pgdiffseg-tiny-test";
  @TempDir Path cache;
  @TempDir Path work;
  HttpServer server;

  @BeforeEach
  void serveTheTinyBundleOverLoopback() throws Exception {
    Path zip = zipOfEmbeddedTiny();
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext("/tiny.zip", exchange -> {
      byte[] body = Files.readAllBytes(zip);
      exchange.sendResponseHeaders(200, body.length);
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(body);
      }
    });
    server.createContext("/missing.zip", exchange -> {
      exchange.sendResponseHeaders(404, -1);
      exchange.close();
    });
    server.createContext("/truncated.zip", exchange -> {
      byte[] body = Files.readAllBytes(zip);
      exchange.sendResponseHeaders(200, body.length);
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(body, 0, body.length / 3);   // the connection drops mid-body
      }
    });
    server.start();
  }

  @AfterEach
  void stop() {
    server.stop(0);
  }

  URI url(String path) {
    return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + path);
  }

  Path zipOfEmbeddedTiny() throws Exception {
    Path folder = ModelZoo.copyEmbedded(TINY, work.resolve("src"));
    return Zips.zip(folder, work.resolve("tiny.zip"));
  }

  ModelZoo zoo() throws BundleException {
    return new ModelZoo(cache, ZooIndex.embedded());
  }

  @Test
  void resolvesAnEmbeddedBundleIntoTheCacheOnce() throws Exception {
    ModelBundle first = zoo().get(TINY);
    assertThat(first.root()).startsWith(cache.toRealPath());
    long installedAt = Files.getLastModifiedTime(first.root().resolve("bundle.json")).toMillis();
    ModelBundle second = zoo().get(TINY);
    assertThat(second.root()).isEqualTo(first.root());
    assertThat(Files.getLastModifiedTime(second.root().resolve("bundle.json")).toMillis()).isEqualTo(installedAt);
    try (var left = Files.list(cache.resolve("models"))) {
      assertThat(left.map(p -> p.getFileName().toString())).containsExactly(TINY);   // no staging left behind
    }
  }

  @Test
  void reinstallsACacheEntryThatNoLongerVerifies() throws Exception {
    ModelBundle first = zoo().get(TINY);
    Files.writeString(first.root().resolve("prior.onnx"), "tampered");
    ModelBundle again = zoo().get(TINY);
    assertThat(MoreFiles.asByteSource(again.root().resolve("prior.onnx")).hash(Hashing.sha256()).toString())
        .isEqualTo(again.manifest().prior().sha256());
  }

  @Test
  void resolvesAFolderOrZipPathDirectly() throws Exception {
    Path folder = ModelZoo.copyEmbedded(TINY, work.resolve("direct"));
    assertThat(zoo().get(folder.toString()).manifest().id()).isEqualTo(TINY);
  }

  @Test
  void refusesAnUnknownIdNamingTheKnownOnes() {
    assertThatThrownBy(() -> zoo().get("no-such-model")).isInstanceOf(BundleException.class)
        .hasMessageContaining("unknown model 'no-such-model'").hasMessageContaining(TINY);
  }

  @Test
  void pullsOverHttpOnlyWhenAllowedAndVerifiesTheChecksum() throws Exception {
    String sha = MoreFiles.asByteSource(work.resolve("tiny.zip")).hash(Hashing.sha256()).toString();
    assertThatThrownBy(() -> zoo().pull(url("/tiny.zip"), sha, false)).isInstanceOf(BundleException.class)
        .hasMessageContaining("plain HTTP refused");
    assertThatThrownBy(() -> zoo().pull(url("/tiny.zip"), "0".repeat(64), true)).isInstanceOf(BundleException.class)
        .hasMessageContaining("Checksum error");
    ModelBundle pulled = zoo().pull(url("/tiny.zip"), sha, true);
    assertThat(pulled.root()).isEqualTo(zoo().cacheEntry(TINY, "1.0.0").toRealPath());
  }

  @Test
  void failedDownloadsLeaveNothingBehind() throws Exception {
    assertThatThrownBy(() -> zoo().pull(url("/missing.zip"), null, true)).isInstanceOf(BundleException.class)
        .hasMessageContaining("HTTP 404");
    assertThatThrownBy(() -> zoo().pull(url("/truncated.zip"), null, true)).isInstanceOf(BundleException.class);
    try (var left = Files.list(cache.resolve("models"))) {
      assertThat(left.toList()).isEmpty();
    }
  }

  @Test
  void concurrentPullsOfOneIdAreSafe() throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try {
      List<Future<ModelBundle>> pulls = new ArrayList<>();
      for (int i = 0; i < 4; i++) {
        pulls.add(pool.submit(() -> zoo().pull(url("/tiny.zip"), null, true)));
      }
      for (Future<ModelBundle> f : pulls) {
        assertThat(f.get().manifest().id()).isEqualTo(TINY);
      }
    } finally {
      pool.shutdownNow();
    }
    assertThat(ModelBundle.open(zoo().cacheEntry(TINY, "1.0.0")).manifest().id()).isEqualTo(TINY);
  }

  @Test
  void aCachedCopyOfAnOlderEmbeddedBundleIsReplaced() throws Exception {
    ModelBundle first = zoo().get(TINY);
    // Same id and version, valid checksums, other manifest: what a cache holds after the jar's model was rebuilt.
    Path manifest = first.root().resolve(ModelBundle.MANIFEST);
    Files.writeString(manifest, Files.readString(manifest).replaceFirst("\"description\" *: *\"", "$0older copy: "));
    assertThat(ModelBundle.open(first.root()).manifest().description()).startsWith("older copy");
    ModelBundle again = zoo().get(TINY);
    assertThat(again.manifest().description()).doesNotStartWith("older copy");
    assertThat(ModelZoo.sameManifest(again, TINY)).isTrue();
  }

  @Test
  void everyEmbeddedIndexEntryNamesItsBundlesVersion() throws Exception {
    for (ZooEntry e : ZooIndex.embedded().entries()) {
      if (e.embedded()) {
        assertThat(zoo().get(e.id()).manifest().version()).as(e.id()).isEqualTo(e.version());
      }
    }
  }

  @Test
  void theIndexNamesADefaultModel() throws Exception {
    assertThat(ZooIndex.embedded().defaultEntry().id()).isEqualTo("pgdiffseg-busi-128");
    assertThatThrownBy(() -> ZooIndex.parse("{\"models\":[{\"id\":\"x\"}]}".getBytes(), "index.json"))
        .isInstanceOf(BundleException.class).hasMessageContaining("'version'");
  }
}
