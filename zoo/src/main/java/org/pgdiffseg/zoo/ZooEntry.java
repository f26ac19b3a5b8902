package org.pgdiffseg.zoo;

/**
 * One model of the zoo index ({@code zoo/models/index.json}): id and version, where it comes from
 * ({@code "embedded"} in the jar, or an http(s) / file URL of a zipped bundle), the sha256 of that zip
 * when it is downloaded, and whether it is the default model.
 */
public record ZooEntry(String id, String version, String source, String sha256, String description, boolean isDefault) {
  public boolean embedded() {
    return "embedded".equals(source);
  }
}
