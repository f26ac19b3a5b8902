package org.pgdiffseg.zoo;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.pgdiffseg.sdk.BundleException;

/** The zoo's catalog of models, like MONAI's model_info.json. Immutable and thread-safe. */
public final class ZooIndex {
  static final String RESOURCE = "/org/pgdiffseg/zoo/models/index.json";
  private final List<ZooEntry> entries;

  public ZooIndex(List<ZooEntry> entries) {
    this.entries = List.copyOf(entries);
  }

  /** The index shipped in the jar. */
  public static ZooIndex embedded() throws BundleException {
    try (InputStream in = ZooIndex.class.getResourceAsStream(RESOURCE)) {
      if (in == null) {
        throw new BundleException("zoo index " + RESOURCE + " is not on the classpath");
      }
      return parse(in.readAllBytes(), RESOURCE);
    } catch (IOException e) {
      throw new BundleException("cannot read zoo index " + RESOURCE + ": " + e.getMessage(), e);
    }
  }

  public static ZooIndex parse(byte[] json, String source) throws BundleException {
    try {
      JsonNode models = new ObjectMapper().readTree(json).path("models");
      if (!models.isArray()) {
        throw new BundleException(source + ": expected an array 'models'");
      }
      List<ZooEntry> entries = new ArrayList<>();
      for (JsonNode m : models) {
        String id = m.path("id").asText(null);
        String version = m.path("version").asText(null);
        String from = m.path("source").asText(null);
        if (id == null || version == null || from == null) {
          throw new BundleException(source + ": every model needs 'id', 'version' and 'source', got " + m);
        }
        entries.add(new ZooEntry(id, version, from, m.path("sha256").asText(null),
            m.path("description").asText(""), m.path("default").asBoolean(false)));
      }
      return new ZooIndex(entries);
    } catch (IOException e) {
      throw new BundleException(source + ": not valid JSON: " + e.getMessage(), e);
    }
  }

  public List<ZooEntry> entries() {
    return entries;
  }

  public Optional<ZooEntry> find(String id) {
    return entries.stream().filter(e -> e.id().equals(id)).findFirst();
  }

  /** The model segment commands use when none is named. */
  public ZooEntry defaultEntry() {
    return entries.stream().filter(ZooEntry::isDefault).findFirst()
        .orElseThrow(() -> new IllegalStateException("the zoo index names no default model"));
  }
}
