package org.pgdiffseg.samples;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Stream;

/** Expands the command line's files and folders into image files; folders contribute their image files, sorted. */
final class InputFiles {
  static final Set<String> EXTENSIONS = Set.of("png", "jpg", "jpeg", "bmp", "tif", "tiff");

  private InputFiles() {}

  static List<Path> expand(List<Path> arguments) throws IOException {
    List<Path> out = new ArrayList<>();
    for (Path p : arguments) {
      if (Files.isDirectory(p)) {
        try (Stream<Path> files = Files.list(p)) {
          files.filter(Files::isRegularFile).filter(InputFiles::isImage).sorted().forEach(out::add);
        }
      } else {
        out.add(p);   // a missing or unreadable file is reported by the decoder, with the others still processed
      }
    }
    return out;
  }

  static boolean isImage(Path p) {
    String name = p.getFileName().toString();
    int dot = name.lastIndexOf('.');
    return dot > 0 && EXTENSIONS.contains(name.substring(dot + 1).toLowerCase(Locale.ROOT));
  }

  /** File name without its extension. */
  static String stem(Path p) {
    String name = p.getFileName().toString();
    int dot = name.lastIndexOf('.');
    return dot > 0 ? name.substring(0, dot) : name;
  }
}
