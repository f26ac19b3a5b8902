package org.pgdiffseg.samples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pgdiffseg.sdk.bundle.TestBundles;
import org.pgdiffseg.sdk.imaging.DicomFiles;

/** results.json measures each mask's lesions in pixels, and in millimetres where the DICOM file gives its spacing. */
class MeasurementsCliTest {
  @TempDir Path tmp;

  JsonNode measure(Path image) throws Exception {
    Path out = tmp.resolve("out-" + image.getFileName());
    CliRun r = CliRun.of("segment", "--model", TestBundles.tiny().toString(), "--cpu", "--steps", "2", "--no-gating",
        "--threshold", "0.01", "--no-seg", "--out", out.toString(), image.toString());
    assertThat(r.code()).as(r.err()).isZero();
    return new ObjectMapper().readTree(out.resolve("results.json").toFile()).path("results").get(0)
        .path("measurements");
  }

  @Test
  void aDicomWithPixelSpacingIsMeasuredInMillimetresAndAPngInPixelsOnly() throws Exception {
    Path dicom = Files.write(tmp.resolve("scan.dcm"), DicomFiles.identified(48, 64, 1, "1.2.3", "1.2.3.4", "1.2.3.4.5",
        "0.5\\0.5"));
    JsonNode m = measure(dicom);
    assertThat(m.path("spacing_from").asText()).isEqualTo("Pixel Spacing (0028,0030)");
    assertThat(m.path("spacing_mm").path("row").asDouble()).isEqualTo(0.5);
    JsonNode lesion = m.path("lesions").get(0);
    assertThat(lesion).as("a threshold of 0.01 makes a lesion of nearly every pixel").isNotNull();
    assertThat(lesion.path("longest").path("mm").asDouble())
        .isCloseTo(0.5 * lesion.path("longest").path("px").asDouble(), within(1e-9));
    assertThat(lesion.path("area_mm2").asDouble()).isCloseTo(0.25 * lesion.path("area_px").asDouble(), within(1e-9));

    Path noSpacing = Files.write(tmp.resolve("plain.dcm"), DicomFiles.identified(48, 64, 1, "1.2.3", "1.2.3.4",
        "1.2.3.4.6"));
    JsonNode none = measure(noSpacing);
    assertThat(none.path("spacing_mm").isNull()).isTrue();
    assertThat(none.path("spacing_from").asText()).startsWith("none: the DICOM file states no usable Pixel Spacing");
    assertThat(none.path("lesions").get(0).path("longest").path("mm").isNull()).isTrue();

    Path ultrasound = Files.write(tmp.resolve("us.dcm"), DicomFiles.ultrasound(false,
        new DicomFiles.Region(0, 0, 63, 47, 3, 0.02)));
    JsonNode us = measure(ultrasound);
    assertThat(us.path("spacing_from").asText()).isEqualTo("Sequence of Ultrasound Regions (0018,6011), region 1");
    JsonNode usLesion = us.path("lesions").get(0);
    assertThat(usLesion.path("longest").path("mm").asDouble())
        .isCloseTo(0.2 * usLesion.path("longest").path("px").asDouble(), within(1e-9));

    Path png = Files.copy(RepositoryRoot.find().resolve("samples/images/benign_306.png"), tmp.resolve("x.png"));
    assertThat(measure(png).path("spacing_from").asText()).startsWith("none: the file is not DICOM");
  }
}
