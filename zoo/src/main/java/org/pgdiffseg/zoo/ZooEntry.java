package org.pgdiffseg.zoo;

/**
 * One model of the zoo index ({@code zoo/models/index.json}): id and version, where it comes from
 * ({@code "embedded"} in the jar, or an http(s) / file URL of a zipped bundle), the sha256 of that zip
 * when it is downloaded, whether it is the default model, and for an embedded model the folder of the jar's
 * {@code models/} that holds it (the id unless the index names another: an earlier version kept beside the
 * current one).
 */
public record ZooEntry(String id, String version, String source, String sha256, String description, boolean isDefault,
    String folder) {

  /** An entry whose embedded folder is its id. */
  public ZooEntry(String id, String version, String source, String sha256, String description, boolean isDefault) {
    this(id, version, source, sha256, description, isDefault, id);
  }

  public boolean embedded() {
    return "embedded".equals(source);
  }

  /** {@code id@version}: the name that asks for this version and no other. */
  public String pinned() {
    return id + ZooIndex.VERSION_SEPARATOR + version;
  }
}
