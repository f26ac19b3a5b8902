package org.pgdiffseg.sdk;

import java.nio.file.Path;

/**
 * The root of PGDiffSeg's per-user cache, shared by the model zoo (verified bundles), the SDK's zip unpacking
 * ({@code unpacked/}) and the runtime (ONNX Runtime's native libraries, {@code natives/}): {@code $PGDIFFSEG_CACHE}, else the system property
 * {@code pgdiffseg.cache}, else {@code ~/.pgdiffseg}. Read on every call, so a property set at start-up counts.
 *
 * <p>Stateless; thread-safe.
 */
public final class CacheFolder {
  /** The environment variable that names the cache root. */
  public static final String ENV = "PGDIFFSEG_CACHE";
  /** The system property that names the cache root when the environment variable is not set. */
  public static final String PROPERTY = "pgdiffseg.cache";

  private CacheFolder() {}

  /** The cache root; it need not exist yet. */
  public static Path root() {
    String env = System.getenv(ENV);
    if (env != null && !env.isBlank()) {
      return Path.of(env);
    }
    String property = System.getProperty(PROPERTY);
    if (property != null && !property.isBlank()) {
      return Path.of(property);
    }
    return Path.of(System.getProperty("user.home"), ".pgdiffseg");
  }

  /** The sentence that ends every "cannot use the cache" message: how to choose another folder. */
  public static String howToChooseAnother() {
    return "choose another cache folder with the environment variable " + ENV + " or the system property "
        + PROPERTY + " (-D" + PROPERTY + "=DIR)";
  }
}
