package org.pgdiffseg.samples;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A folder is listed by the decoder's own format rule: magic number, then DICM at byte 128, then extension. */
class InputFilesTest {
  @TempDir Path dir;

  @Test
  void aFolderTakesWhatTheDecoderWouldPlaceAsAnImage() throws Exception {
    byte[] dicm = new byte[200];
    System.arraycopy("DICM".getBytes(StandardCharsets.US_ASCII), 0, dicm, 128, 4);
    byte[] png = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n', 0, 0};
    Files.write(dir.resolve("1.2.840.113619.2.55"), dicm);   // a UID-named DICOM
    Files.write(dir.resolve("export.bin"), dicm);            // DICM decides before the extension
    Files.write(dir.resolve("photo.txt"), png);              // a PNG signature decides before the extension
    Files.writeString(dir.resolve("scan.png"), "broken");    // the extension: the decoder will say what is wrong
    Files.writeString(dir.resolve("notes.txt"), "not an image");
    InputFiles.Expansion expansion = InputFiles.expand(List.of(dir), null);
    assertThat(expansion.files()).extracting(p -> p.getFileName().toString())
        .containsExactly("1.2.840.113619.2.55", "export.bin", "photo.txt", "scan.png");
    assertThat(expansion.skipped()).singleElement().asString().contains("notes.txt");
  }
}
