package org.pgdiffseg.sdk.bundle;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import org.pgdiffseg.sdk.BundleException;

/**
 * Checks that a path inside a cache reaches its place without passing through a symbolic link (or anything else
 * that resolves elsewhere, such as a junction): a link planted anywhere below the cache root would make the cache
 * write, lock or delete in the folder it points to. The cache root itself may be a link; that is the user's choice.
 */
public final class UnlinkedPath {
  private UnlinkedPath() {}

  /**
   * Throws when {@code inside} does not lie below {@code root}, or when any of its existing components below
   * {@code root} is a link or resolves (by its real path) to somewhere other than where it lies.
   */
  public static void require(Path root, Path inside) throws BundleException {
    Path base = root.toAbsolutePath().normalize();
    Path path = inside.toAbsolutePath().normalize();
    if (!path.startsWith(base) || path.equals(base)) {
      throw new BundleException("refusing " + inside + ": it does not lie inside the cache " + root);
    }
    if (!Files.exists(base)) {
      return;
    }
    try {
      Path realBase = base.toRealPath();
      Path current = base;
      for (Path name : base.relativize(path)) {
        current = current.resolve(name);
        if (!Files.exists(current, LinkOption.NOFOLLOW_LINKS)) {
          return;   // nothing below a missing component exists
        }
        if (Files.isSymbolicLink(current)) {
          throw new BundleException("refusing " + inside + ": " + current + " is a symbolic link to "
              + Files.readSymbolicLink(current) + "; the cache does not follow links below " + root
              + ", remove the link or choose another cache folder");
        }
        Path real = current.toRealPath();
        if (!real.equals(realBase.resolve(base.relativize(current)))) {
          throw new BundleException("refusing " + inside + ": " + current + " resolves to " + real
              + ", outside its place in the cache " + root);
        }
      }
    } catch (IOException e) {
      throw new BundleException("cannot check " + inside + " in the cache " + root + ": " + e.getMessage(), e);
    }
  }
}
