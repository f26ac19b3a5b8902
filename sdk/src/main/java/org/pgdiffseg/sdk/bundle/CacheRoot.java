package org.pgdiffseg.sdk.bundle;

import java.nio.file.Path;

/**
 * Where PGDiffSeg keeps what it writes for later runs (the zoo's installed models, unpacked bundle zips):
 * {@code $PGDIFFSEG_CACHE}, else the system property {@code pgdiffseg.cache}, else {@code ~/.pgdiffseg}. It lives in
 * the SDK so that the SDK's zip unpacking and the zoo, which depends on the SDK, share one rule.
 */
public final class CacheRoot {
  public static final String ENV = "PGDIFFSEG_CACHE";
  public static final String PROPERTY = "pgdiffseg.cache";

  private CacheRoot() {}

  /** The cache folder chosen by the environment variable, else the system property, else the home folder. */
  public static Path defaultRoot() {
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
