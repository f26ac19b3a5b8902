package org.pgdiffseg.samples;

import picocli.CommandLine;

/** The version from the jar manifest, or "development" when run from classes. */
final class VersionProvider implements CommandLine.IVersionProvider {
  @Override
  public String[] getVersion() {
    String version = PgDiffSegCli.class.getPackage().getImplementationVersion();
    return new String[] {"pgdiffseg " + (version == null ? "development" : version),
        "Java " + Runtime.version()};
  }
}
