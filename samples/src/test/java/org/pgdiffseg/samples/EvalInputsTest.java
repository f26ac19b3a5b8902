package org.pgdiffseg.samples;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.dataformat.csv.CsvMapper;
import com.fasterxml.jackson.dataformat.csv.CsvParser;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pgdiffseg.sdk.bundle.TestBundles;
import org.pgdiffseg.sdk.imaging.ImageWriter;

/** eval's CSV reads back the same in any locale and any spreadsheet; masks that are not masks are refused. */
class EvalInputsTest {
  static Path tiny;
  static byte[] png;
  static byte[] mask;
  @TempDir Path tmp;

  @BeforeAll
  static void load() throws Exception {
    tiny = TestBundles.tiny();
    png = Files.readAllBytes(tiny.resolve("fixtures/preprocess_input.png"));
    byte[] pixels = new byte[64 * 48];
    for (int i = 0; i < 20 * 64; i++) {
      pixels[i] = (byte) 255;
    }
    mask = ImageWriter.encodeGrayPng(pixels, 64, 48);
  }

  CliRun eval(Path images, Path masks, String... more) {
    List<String> args = new ArrayList<>(List.of("eval", "--model", tiny.toString(), "--steps", "2", "--cpu",
        "--images", images.toString(), "--masks", masks.toString(), "--out", tmp.resolve("out").toString()));
    args.addAll(List.of(more));
    return CliRun.of(args.toArray(String[]::new));
  }

  void pair(String name) throws Exception {
    Files.write(Files.createDirectories(tmp.resolve("images")).resolve(name), png);
    Files.write(Files.createDirectories(tmp.resolve("masks")).resolve(name), mask);
  }

  static List<List<String>> readCsv(Path file) throws Exception {
    List<List<String>> rows = new ArrayList<>();
    try (MappingIterator<List<String>> it = new CsvMapper().enable(CsvParser.Feature.WRAP_AS_ARRAY)
        .readerForListOf(String.class).readValues(file.toFile())) {
      it.forEachRemaining(rows::add);
    }
    return rows;
  }

  @Test
  void theCsvHasItsFifteenFieldsPerRowUnderACommaDecimalLocaleAndWithHostileNames() throws Exception {
    for (String name : List.of("benign_a,b.png", "=HYPERLINK(1).png", "q\"uote.png", "new\nline.png", "+1.png")) {
      pair(name);
    }
    Locale before = Locale.getDefault();
    Locale.setDefault(Locale.GERMANY);
    CliRun r;
    try {
      r = eval(tmp.resolve("images"), tmp.resolve("masks"));
    } finally {
      Locale.setDefault(before);
    }
    assertThat(r.code()).as(r.err()).isZero();
    List<List<String>> rows = readCsv(tmp.resolve("out/eval.csv"));
    assertThat(rows).hasSize(6);
    assertThat(rows).allSatisfy(row -> assertThat(row).hasSize(15));
    List<String> ids = rows.stream().skip(1).map(row -> row.get(0)).toList();
    assertThat(ids).containsExactlyInAnyOrder("benign_a,b", "'=HYPERLINK(1)", "q\"uote", "new\nline", "'+1");
    assertThat(rows.get(1).get(3)).as("Dice in the root locale").matches("[01]\\.\\d{6}");
  }

  @Test
  void swappedImagesAndMasksAreRefusedAsNotBinaryNotScored() throws Exception {
    pair("benign_1.png");
    CliRun r = eval(tmp.resolve("masks"), tmp.resolve("images"));
    assertThat(r.code()).isEqualTo(PgDiffSegCli.BAD_INPUT);
    assertThat(r.err()).contains("not a binary mask").contains("are --images and --masks swapped?");
    assertThat(readCsv(tmp.resolve("out/eval.csv"))).hasSize(1);   // the header only: nothing was scored
  }

  @Test
  void aMissingMaskIsNamedAndItsImageLeftOut() throws Exception {
    pair("benign_1.png");
    Files.write(tmp.resolve("images/benign_2.png"), png);
    CliRun r = eval(tmp.resolve("images"), tmp.resolve("masks"));
    assertThat(r.code()).isEqualTo(PgDiffSegCli.BAD_INPUT);
    assertThat(r.err()).contains("benign_2.png: missing reference mask");
    assertThat(readCsv(tmp.resolve("out/eval.csv"))).hasSize(2);
    assertThat(Files.readString(tmp.resolve("out/eval.json"))).doesNotContain("NaN");
  }

  @Test
  void badUsageIsASentenceAndExitTwo() throws Exception {
    pair("benign_1.png");
    CliRun negative = eval(tmp.resolve("images"), tmp.resolve("masks"), "--limit", "-1");
    assertThat(negative.code()).isEqualTo(PgDiffSegCli.BAD_INPUT);
    assertThat(negative.err()).contains("--limit must be at least 1, got -1");
    CliRun same = eval(tmp.resolve("images"), tmp.resolve("images"));
    assertThat(same.code()).isEqualTo(PgDiffSegCli.BAD_INPUT);
    assertThat(same.err()).contains("are the same folder");
  }
}
