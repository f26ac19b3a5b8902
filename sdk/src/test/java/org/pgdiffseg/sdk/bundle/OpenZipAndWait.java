package org.pgdiffseg.sdk.bundle;

import java.nio.file.Path;

/** A run that opens a zipped bundle, prints its folder and waits to be killed: a process for UnpackedZipsTest. */
public final class OpenZipAndWait {
  private OpenZipAndWait() {}

  public static void main(String[] args) throws Exception {
    System.out.println(ModelBundle.open(Path.of(args[0])).root());
    System.out.flush();
    System.in.read();   // blocks until the test kills this process
  }
}
