package org.pgdiffseg.samples;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;
import org.pgdiffseg.sdk.runtime.OrtRuntime;
import org.pgdiffseg.zoo.ZooEntry;
import org.pgdiffseg.zoo.ZooIndex;
import picocli.CommandLine;

/**
 * {@code --version}: the project version and the commit it was built from (build.properties, written by the
 * build), ONNX Runtime's version, the default model and the Java runtime: what a bug report needs.
 */
final class VersionProvider implements CommandLine.IVersionProvider {
  static final String UNKNOWN = "unknown";

  @Override
  public String[] getVersion() throws Exception {
    Properties build = buildProperties();
    ZooEntry model = ZooIndex.embedded().defaultEntry();
    return new String[] {
        "pgdiffseg " + build.getProperty("version", UNKNOWN) + " (commit " + build.getProperty("commit", UNKNOWN) + ")",
        "ONNX Runtime " + OrtRuntime.shared().version(),
        "default model " + model.id() + " " + model.version(),
        "Java " + Runtime.version() + " (" + System.getProperty("java.home") + ")"};
  }

  static Properties buildProperties() throws IOException {
    Properties p = new Properties();
    try (InputStream in = VersionProvider.class.getResourceAsStream("build.properties")) {
      if (in != null) {
        p.load(in);
      }
    }
    // Unfiltered (an IDE that copies resources as they are) means the build did not say.
    p.replaceAll((k, v) -> v.toString().startsWith("${") ? UNKNOWN : v);
    return p;
  }
}
