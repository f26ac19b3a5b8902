package org.pgdiffseg.zoo;

import static com.google.common.base.Preconditions.checkArgument;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.pgdiffseg.sdk.BundleException;
import org.pgdiffseg.sdk.bundle.PlainName;

/**
 * The zoo's catalog of models, like MONAI's model_info.json. An id may be listed at several versions, newest
 * first: {@code id} names the first listed, {@code id@version} that version only. Immutable and thread-safe.
 */
public final class ZooIndex {
  static final String RESOURCE = "/org/pgdiffseg/zoo/models/index.json";
  /** Between an id and the version it pins: {@code pgdiffseg-busi-128@2.0.0}. */
  public static final String VERSION_SEPARATOR = "@";
  private final List<ZooEntry> entries;

  /** @throws IllegalArgumentException when an id and version, or an embedded folder, is listed twice */
  public ZooIndex(List<ZooEntry> entries) {
    this.entries = List.copyOf(entries);
    Set<String> versions = new HashSet<>();
    Set<String> folders = new HashSet<>();
    for (ZooEntry e : this.entries) {
      checkArgument(versions.add(e.pinned()), "%s is listed twice", e.pinned());
      checkArgument(!e.embedded() || PlainName.isPlain(e.folder()), "%s: not a folder name: '%s'", e.pinned(),
          e.folder());
      checkArgument(!e.embedded() || folders.add(e.folder()), "embedded folder '%s' is listed twice", e.folder());
    }
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
            m.path("description").asText(""), m.path("default").asBoolean(false), m.path("folder").asText(id)));
      }
      return new ZooIndex(entries);
    } catch (IllegalArgumentException e) {
      throw new BundleException(source + ": " + e.getMessage(), e);
    } catch (IOException e) {
      throw new BundleException(source + ": not valid JSON: " + e.getMessage(), e);
    }
  }

  public List<ZooEntry> entries() {
    return entries;
  }

  /** A name asking for a model: its id, and the version it pins or null. */
  private record Name(String id, String version) {
    static Name of(String name) {
      int at = name.lastIndexOf(VERSION_SEPARATOR);
      return at < 0 ? new Name(name, null) : new Name(name.substring(0, at), name.substring(at + 1));
    }
  }

  /** The entry {@code id} (the first listed version) or {@code id@version} names, if the index has it. */
  public Optional<ZooEntry> find(String name) {
    Name n = Name.of(name);
    return entries.stream().filter(e -> e.id().equals(n.id()))
        .filter(e -> n.version() == null || e.version().equals(n.version())).findFirst();
  }

  /** {@link #find}, or an error naming what the index has: its ids, or the versions of the id asked for. */
  public ZooEntry require(String name) throws BundleException {
    Optional<ZooEntry> found = find(name);
    if (found.isPresent()) {
      return found.get();
    }
    Name n = Name.of(name);
    List<String> versions = n.version() == null ? List.of()
        : entries.stream().filter(e -> e.id().equals(n.id())).map(ZooEntry::version).toList();
    if (!versions.isEmpty()) {
      throw new BundleException("unknown version '" + n.version() + "' of model '" + n.id() + "': the zoo has "
          + versions);
    }
    throw new BundleException("unknown model '" + name + "': not a bundle folder or zip, and not one of "
        + entries.stream().map(ZooEntry::id).distinct().toList());
  }

  /** The model segment commands use when none is named. */
  public ZooEntry defaultEntry() {
    return entries.stream().filter(ZooEntry::isDefault).findFirst()
        .orElseThrow(() -> new IllegalStateException("the zoo index names no default model"));
  }
}
