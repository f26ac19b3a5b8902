package org.pgdiffseg.samples;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.pgdiffseg.sdk.imaging.FormatSniffer;

/**
 * Expands the command line's files and folders into the files to read. A file named on the command line is
 * always taken (the decoder reports what is wrong with it). A folder contributes, sorted, its regular files that
 * {@link FormatSniffer} places as images by the decoder's own rule: a magic number, the DICM preamble (archives
 * often name DICOM files by UID), or an image extension. What a folder holds that is not taken is listed with the
 * reason: other files, FIFOs and devices, and the masks and overlays an earlier run wrote when the folder is also
 * the output folder.
 */
final class InputFiles {
  static final Set<String> EXTENSIONS = Set.of("png", "jpg", "jpeg", "bmp", "tif", "tiff", "dcm", "dicom");

  /** The files to read, and "path: reason" for each file of a folder that was left out. */
  record Expansion(List<Path> files, List<String> skipped) {}

  private InputFiles() {}

  static List<Path> expand(List<Path> arguments) throws IOException {
    return expand(arguments, null).files();
  }

  /** {@code outputFolder} (may be null) is where this run writes; its earlier outputs are not inputs. */
  static Expansion expand(List<Path> arguments, Path outputFolder) throws IOException {
    List<Path> files = new ArrayList<>();
    List<String> skipped = new ArrayList<>();
    for (Path p : arguments) {
      if (!Files.isDirectory(p)) {
        files.add(p);
        continue;
      }
      boolean isOutput = outputFolder != null && Files.isDirectory(outputFolder) && Files.isSameFile(p, outputFolder);
      List<Path> entries;
      try (Stream<Path> listing = Files.list(p)) {
        entries = listing.sorted().toList();
      }
      for (Path file : entries) {
        String why = reasonToSkip(file, isOutput);
        if (why == null) {
          files.add(file);
        } else if (!why.isEmpty()) {
          skipped.add(file + ": " + why);
        }
      }
    }
    return new Expansion(files, skipped);
  }

  /** Null to take the file, "" to pass over it silently (sub-folders), else why it is left out. */
  private static String reasonToSkip(Path file, boolean inOutputFolder) {
    if (Files.isDirectory(file, LinkOption.NOFOLLOW_LINKS)) {
      return "";
    }
    if (!Files.isRegularFile(file)) {
      return "not a regular file (a FIFO, device, socket or broken link)";
    }
    String name = file.getFileName().toString();
    if (inOutputFolder && (name.endsWith("_mask.png") || name.endsWith("_overlay.png") || name.equals("results.json"))) {
      return "an output of an earlier run (this folder is also --out)";
    }
    // The decoder's own rule (magic number, then DICM at byte 128, then the extension): a UID-named DICOM
    // ("1.2.840.113619.2.55") is taken, "notes.txt" is not read at all.
    if (FormatSniffer.detect(head(file), name).isPresent()) {
      return null;
    }
    return "not an image (no image signature, no DICOM preamble, no image extension)";
  }

  private static byte[] head(Path file) {
    try (var in = Files.newInputStream(file)) {
      return in.readNBytes(FormatSniffer.HEAD_BYTES);
    } catch (IOException e) {
      return new byte[0];   // unreadable: the name alone decides, and the decoder reports the failure
    }
  }

  /** File name without its extension. */
  static String stem(Path p) {
    String name = p.getFileName().toString();
    int dot = name.lastIndexOf('.');
    return dot > 0 ? name.substring(0, dot) : name;
  }
}
