package org.pgdiffseg.samples;

import java.nio.charset.Charset;
import java.nio.charset.CharsetEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Locale;
import java.util.Set;
import java.util.function.Predicate;

/**
 * Output stems for one run, unique within the run so that no image's mask overwrites another's: {@code a/x.png}
 * and {@code b/x.png}, {@code y.png} and {@code y.jpg}, or a frame {@code scan_f001} of {@code scan.dcm} beside a
 * file {@code scan_f001.png}. The first input keeps its plain stem; a later one that would clash gets its
 * extension added ({@code y_jpg}), then a counter ({@code x_png_2}). Names are also made writable: characters
 * the file system's encoding cannot hold (a non-UTF-8 name shown as U+FFFD, or anything outside ASCII under the
 * C locale) and control characters become '_', and long stems are cut so that {@code <stem>_overlay.png} fits a
 * 255-byte file name. results.json records which input each output belongs to.
 */
final class OutputNames {
  /** Room left for "_overlay.png", a counter and the extension. */
  private static final int MAX_STEM_BYTES = 200;

  private final Set<String> used = new HashSet<>();
  private final CharsetEncoder encoder;

  /** Names for file names in the JVM's own file-name encoding (from the locale it started in). */
  OutputNames() {
    this(fileNameCharset());
  }

  OutputNames(Charset fileNames) {
    this.encoder = fileNames.newEncoder();
  }

  /** A stem for {@code input}'s outputs; {@code frameSuffix} is "" or e.g. "_f001" for a frame of a DICOM. */
  String allocate(Path input, String frameSuffix) {
    return allocate(input, frameSuffix, stem -> true);
  }

  /**
   * As {@link #allocate(Path, String)}, passing over stems that {@code free} refuses: in the output folder, a
   * stem whose mask or overlay name holds a file pgdiffseg did not write (a reference mask named
   * {@code x_mask.png} beside {@code x.png}) is never used.
   */
  String allocate(Path input, String frameSuffix, Predicate<String> free) {
    String name = input.getFileName() == null ? "image" : input.getFileName().toString();
    int dot = name.lastIndexOf('.');
    String stem = writable((dot > 0 ? name.substring(0, dot) : name) + frameSuffix);
    String extension = dot > 0 ? writable(name.substring(dot + 1)) : "";
    String candidate = stem;
    if (!extension.isEmpty() && (taken(candidate) || !free.test(candidate))) {
      candidate = stem + "_" + extension;
    }
    String base = candidate;
    for (int n = 2; taken(candidate) || !free.test(candidate); n++) {
      candidate = base + "_" + n;
    }
    used.add(candidate.toLowerCase(Locale.ROOT));
    return candidate;
  }

  /** Case-insensitively, so that outputs stay apart on case-insensitive file systems too. */
  private boolean taken(String stem) {
    return used.contains(stem.toLowerCase(Locale.ROOT));
  }

  private String writable(String raw) {
    StringBuilder s = new StringBuilder();
    int bytes = 0;
    for (int i = 0; i < raw.length(); ) {
      int cp = raw.codePointAt(i);
      String ch = new String(Character.toChars(cp));
      boolean ok = cp != 0xFFFD && cp != '/' && cp != '\\' && !Character.isISOControl(cp) && encoder.canEncode(ch);
      String kept = ok ? ch : "_";
      int size = kept.getBytes(StandardCharsets.UTF_8).length;
      if (bytes + size > MAX_STEM_BYTES) {
        break;
      }
      s.append(kept);
      bytes += size;
      i += Character.charCount(cp);
    }
    return s.isEmpty() ? "image" : s.toString();
  }

  /** The charset the JVM turns file names into bytes with (from the locale at start-up). */
  private static Charset fileNameCharset() {
    try {
      return Charset.forName(System.getProperty("sun.jnu.encoding", "UTF-8"));
    } catch (RuntimeException e) {
      return StandardCharsets.UTF_8;
    }
  }
}
