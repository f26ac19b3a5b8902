package org.pgdiffseg.sdk.bundle;

import java.util.regex.Pattern;

/**
 * The rule for a bundle's {@code id} and {@code version}, which become folder names in the zoo's cache: a
 * plain name of letters, digits and {@code . _ + -}, starting with a letter or digit, so that neither
 * {@code ..}, a separator nor an absolute path can ever come out of a manifest.
 */
public final class PlainName {
  private static final Pattern PLAIN = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._+-]{0,127}");

  private PlainName() {}

  public static boolean isPlain(String name) {
    return name != null && PLAIN.matcher(name).matches() && !name.contains("..");
  }

  /** Why {@code name} (the value of {@code key}) is not plain, or null when it is. */
  static String problem(String key, String name) {
    return isPlain(name) ? null
        : key + ": '" + name + "' is not a plain name (letters, digits and . _ + -, starting with a letter or digit,"
            + " no '..', at most 128 characters)";
  }
}
