package org.pgdiffseg.zoo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pgdiffseg.sdk.BundleException;

/** An id listed at several versions: the bare id names the first listed, {@code id@version} that version only. */
class ZooVersionsTest {
  static final String TINY = ModelZooTest.TINY;
  @TempDir Path cache;
  @TempDir Path work;

  /** The index of a zoo whose tiny model is embedded at 1.0.0 and downloadable at 0.9.0. */
  ZooIndex twoVersions() throws Exception {
    Path older = ModelZoo.copyEmbedded(TINY, work.resolve("older"));
    Path manifest = older.resolve("bundle.json");
    Files.writeString(manifest, Files.readString(manifest).replaceFirst("\"version\" *: *\"1.0.0\"",
        "\"version\": \"0.9.0\""));
    Path zip = Zips.zip(older, work.resolve("older.zip"));
    return index("{\"id\":\"" + TINY + "\",\"version\":\"1.0.0\",\"source\":\"embedded\"},"
        + "{\"id\":\"" + TINY + "\",\"version\":\"0.9.0\",\"source\":\"" + zip.toUri() + "\"}");
  }

  static ZooIndex index(String models) throws BundleException {
    return ZooIndex.parse(("{\"models\":[" + models + "]}").getBytes(StandardCharsets.UTF_8), "index.json");
  }

  @Test
  void theBareIdIsTheFirstListedVersionAndAPinnedOneIsThatVersion() throws Exception {
    ModelZoo zoo = new ModelZoo(cache, twoVersions());
    assertThat(zoo.get(TINY).manifest().version()).isEqualTo("1.0.0");
    assertThat(zoo.get(TINY + "@0.9.0").manifest().version()).isEqualTo("0.9.0");
    assertThat(zoo.get(TINY + "@1.0.0").manifest().version()).isEqualTo("1.0.0");
    assertThat(cache.resolve("models").resolve(TINY).resolve("0.9.0")).isDirectory();
    assertThat(cache.resolve("models").resolve(TINY).resolve("1.0.0")).isDirectory();
    assertThat(zoo.verify(TINY + "@0.9.0").ok()).isTrue();
  }

  @Test
  void aVersionTheIndexDoesNotListIsRefusedNamingTheOnesItDoes() throws Exception {
    ModelZoo zoo = new ModelZoo(cache, twoVersions());
    assertThatThrownBy(() -> zoo.get(TINY + "@2.0.0")).isInstanceOf(BundleException.class)
        .hasMessage("unknown version '2.0.0' of model '" + TINY + "': the zoo has [1.0.0, 0.9.0]");
    assertThatThrownBy(() -> zoo.get("no-such-model@1.0.0")).isInstanceOf(BundleException.class)
        .hasMessageContaining("unknown model 'no-such-model@1.0.0'").hasMessageContaining("[" + TINY + "]");
    assertThat(cache.resolve("models")).doesNotExist();
  }

  @Test
  void aBundleWhoseManifestIsNotTheListedVersionIsNotInstalled() throws Exception {
    ModelZoo zoo = new ModelZoo(cache, index("{\"id\":\"" + TINY + "\",\"version\":\"0.8.0\",\"source\":\"embedded\"}"));
    assertThatThrownBy(() -> zoo.get(TINY)).isInstanceOf(BundleException.class)
        .hasMessageContaining("the index lists " + TINY + " 0.8.0, but its bundle is " + TINY + " 1.0.0");
    assertThat(cache.resolve("models").resolve(TINY).resolve("0.8.0")).doesNotExist();
  }

  @Test
  void anEarlierVersionEmbeddedInAFolderOfItsOwnIsCopiedFromThere() throws Exception {
    ZooIndex renamed = index("{\"id\":\"other-id\",\"version\":\"1.0.0\",\"source\":\"embedded\",\"folder\":\"" + TINY
        + "\"}");
    assertThat(renamed.require("other-id").folder()).isEqualTo(TINY);
    // the folder holds tiny's bundle, whose manifest names another id: refused, as any mismatch
    assertThatThrownBy(() -> new ModelZoo(cache, renamed).get("other-id")).isInstanceOf(BundleException.class)
        .hasMessageContaining("embedded /org/pgdiffseg/zoo/models/" + TINY)
        .hasMessageContaining("but its bundle is " + TINY + " 1.0.0");
  }

  @Test
  void anIndexListingAVersionTwiceOrAFolderOutsideTheModelsIsRefused() {
    String entry = "{\"id\":\"a\",\"version\":\"1.0.0\",\"source\":\"embedded\"}";
    assertThatThrownBy(() -> index(entry + "," + entry)).isInstanceOf(BundleException.class)
        .hasMessage("index.json: a@1.0.0 is listed twice");
    assertThatThrownBy(() -> index("{\"id\":\"a\",\"version\":\"1\",\"source\":\"embedded\",\"folder\":\"../x\"}"))
        .isInstanceOf(BundleException.class).hasMessage("index.json: a@1: not a folder name: '../x'");
    assertThatThrownBy(() -> index(entry + ",{\"id\":\"b\",\"version\":\"1\",\"source\":\"embedded\",\"folder\":\"a\"}"))
        .isInstanceOf(BundleException.class).hasMessage("index.json: embedded folder 'a' is listed twice");
  }
}
