package org.pgdiffseg.samples;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Stream;
import org.pgdiffseg.sdk.InvalidImageException;
import org.pgdiffseg.sdk.imaging.DecodedImage;
import org.pgdiffseg.sdk.imaging.DicomReader;
import org.pgdiffseg.sdk.imaging.ImageDecoder;

/** Expands the command line's files and folders into image files; folders contribute their image files, sorted. */
final class InputFiles {
  static final Set<String> EXTENSIONS = Set.of("png", "jpg", "jpeg", "bmp", "tif", "tiff", "dcm", "dicom");

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

  /** The images of a file: one, or every frame of a multi-frame DICOM. */
  static List<DecodedImage> decode(Path file, ImageDecoder decoder, DicomReader dicom) throws InvalidImageException {
    if (Files.isRegularFile(file) && startsWithDicomPreamble(file)) {
      return dicom.read(file);
    }
    return List.of(decoder.decode(file));
  }

  private static boolean startsWithDicomPreamble(Path file) {
    try (var in = Files.newInputStream(file)) {
      return DicomReader.isDicom(in.readNBytes(132));
    } catch (IOException e) {
      return false;   // the decoder reports the unreadable file
    }
  }

  /** File name without its extension. */
  static String stem(Path p) {
    String name = p.getFileName().toString();
    int dot = name.lastIndexOf('.');
    return dot > 0 ? name.substring(0, dot) : name;
  }
}
