package org.pgdiffseg.sdk;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;

/** The SDK's release, as the build wrote it into {@code sdk.properties}; "unknown" when built without filtering. */
public final class SdkVersion {
  private static final String VERSION = load();

  private SdkVersion() {}

  public static String get() {
    return VERSION;
  }

  private static String load() {
    Properties p = new Properties();
    try (InputStream in = SdkVersion.class.getResourceAsStream("sdk.properties")) {
      if (in != null) {
        p.load(in);
      }
    } catch (IOException e) {
      return "unknown";
    }
    String v = p.getProperty("version", "unknown");
    return v.startsWith("${") ? "unknown" : v;
  }
}
