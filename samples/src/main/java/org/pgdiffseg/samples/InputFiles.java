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
 * often name DICOM files by UID), or an image extension. Sub-folders (with --recursive, their images too) and
 * hidden files (names starting with '.') are passed over, as Spark's {@code readImages} does. What a folder holds
 * that is not taken is listed with the reason: other files, FIFOs and devices, and, when the folder is also the
 * output folder, the outputs of earlier runs and files named like them ({@code x_mask.png} beside {@code x.png}
 * is a reference mask: not an input, and never overwritten).
 */
final class InputFiles {
  static final Set<String> EXTENSIONS = Set.of("png", "jpg", "jpeg", "bmp", "tif", "tiff", "dcm", "dicom");

  /**
   * The files to read, "path: reason" for each file of a folder that was left out, and the folders that could
   * not be listed (each a failure of the batch, which goes on with the rest).
   */
  record Expansion(List<Path> files, List<String> skipped, List<Unlisted> unlisted) {}

  /** A folder named on the command line whose listing failed, and why. */
  record Unlisted(Path folder, IOException cause) {
    String message() {
      return folder + ": cannot list the folder ("
          + (cause instanceof java.nio.file.AccessDeniedException ? "permission denied" : cause.getClass().getSimpleName()
          + ": " + cause.getMessage()) + ")";
    }
  }

  private InputFiles() {}

  static List<Path> expand(List<Path> arguments) throws IOException {
    return expand(arguments, null).files();
  }

  /** {@code outputFolder} (may be null) is where this run writes; its earlier outputs are not inputs. */
  static Expansion expand(List<Path> arguments, OutputFolder outputFolder) throws IOException {
    return expand(arguments, outputFolder, false);
  }

  /**
   * As {@link #expand(List, OutputFolder)}; with {@code recursive}, the sub-folders of a folder too (not
   * through links, so a link loop cannot make it endless, and not hidden ones). Without it, a folder that holds
   * sub-folders but no image says so in {@code skipped}, with the option that would take them.
   */
  static Expansion expand(List<Path> arguments, OutputFolder outputFolder, boolean recursive) throws IOException {
    Expansion e = new Expansion(new ArrayList<>(), new ArrayList<>(), new ArrayList<>());
    for (Path p : arguments) {
      if (!Files.isDirectory(p)) {
        e.files().add(p);
        continue;
      }
      int before = e.files().size();
      int folders = listFolder(p, outputFolder, recursive, e);
      if (!recursive && folders > 0 && e.files().size() == before) {
        e.skipped().add(p + ": holds " + folders + " sub-folder(s) and no image; add --recursive to segment the"
            + " images inside them");
      }
    }
    return new Expansion(List.copyOf(e.files()), List.copyOf(e.skipped()), List.copyOf(e.unlisted()));
  }

  /** Adds {@code folder}'s files to {@code e}; returns how many sub-folders it passed over (none when recursive). */
  private static int listFolder(Path folder, OutputFolder outputFolder, boolean recursive, Expansion e)
      throws IOException {
    OutputFolder output = outputFolder != null && Files.isSameFile(folder, outputFolder.path()) ? outputFolder : null;
    List<Path> entries;
    try (Stream<Path> listing = Files.list(folder)) {
      entries = listing.sorted().toList();
    } catch (IOException | java.io.UncheckedIOException failure) {
      e.unlisted().add(new Unlisted(folder, failure instanceof IOException io ? io
          : ((java.io.UncheckedIOException) failure).getCause()));
      return 0;
    }
    int folders = 0;
    for (Path file : entries) {
      boolean hidden = file.getFileName().toString().startsWith(".");
      if (Files.isDirectory(file, LinkOption.NOFOLLOW_LINKS) && !hidden) {
        if (recursive) {
          listFolder(file, outputFolder, true, e);
        } else {
          folders++;
        }
        continue;
      }
      String why = reasonToSkip(file, output);
      if (why == null) {
        e.files().add(file);
      } else if (!why.isEmpty()) {
        e.skipped().add(file + ": " + why);
      }
    }
    return folders;
  }

  /** Null to take the file, "" to pass over it silently (sub-folders), else why it is left out. */
  private static String reasonToSkip(Path file, OutputFolder output) {
    String name = file.getFileName().toString();
    if (Files.isDirectory(file, LinkOption.NOFOLLOW_LINKS) || name.startsWith(".")) {
      return "";
    }
    if (!Files.isRegularFile(file)) {
      return "not a regular file (a FIFO, device, socket or broken link)";
    }
    if (output != null && output.isOurs(name)) {
      return "an output of an earlier run (this folder is also --out)";
    }
    if (output != null && (name.endsWith("_mask.png") || name.endsWith("_overlay.png"))) {
      return "named like a mask or overlay in the output folder: not read as an input, and never overwritten";
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
