package org.pgdiffseg.sdk.testing;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;

/** The project's Python environment, as samples/python-env makes it, for tests that check with Python oracles. */
public final class PythonEnvironment {
  private PythonEnvironment() {}

  /**
   * Its python ($PGDIFFSEG_VENV, else ~/.cache/pgdiffseg/venv-<first 12 hex of the sha256 of
   * zoo/python/requirements.txt>) when the environment is complete; null when it is not built here (building
   * it, 6 GB, is samples/run-tests's job, not a test's).
   */
  public static Path python(Path repositoryRoot) throws Exception {
    String configured = System.getenv("PGDIFFSEG_VENV");
    Path venv;
    if (configured != null && !configured.isEmpty()) {
      venv = Path.of(configured);
    } else {
      byte[] requirements = Files.readAllBytes(repositoryRoot.resolve("zoo/python/requirements.txt"));
      String hash = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(requirements));
      venv = Path.of(System.getProperty("user.home"), ".cache", "pgdiffseg", "venv-" + hash.substring(0, 12));
    }
    Path python = venv.resolve("bin/python");
    return Files.exists(venv.resolve(".complete")) && Files.isExecutable(python) ? python : null;
  }
}
