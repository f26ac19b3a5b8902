package org.pgdiffseg.sdk.imaging;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pgdiffseg.sdk.InvalidImageException;

/** DICOM files written here, explicit VR little endian, 16-bit MONOCHROME2, one or several frames. */
class DicomReaderTest {
  // Files are written by DicomFiles (shared with other test modules through the test-jar).
  @TempDir Path tmp;

  @Test
  void readsASingleFrameThroughTheImageDecoderUsingTheFileWindow() throws Exception {
    Path file = tmp.resolve("us.dcm");
    Files.write(file, DicomFiles.dicom(8, 16, 1, DicomFiles.ramp(128, 1), "256", "512"));
    DecodedImage image = new ImageDecoder().decode(file);
    assertThat(image.format()).isEqualTo(ImageFormat.DICOM);
    assertThat(image.width()).isEqualTo(16);
    assertThat(image.height()).isEqualTo(8);
    // window [0, 512] -> 0..255: pixel 127 holds 508
    assertThat(image.grayAt(15, 7)).isCloseTo(508 * 255f / 512, org.assertj.core.data.Offset.offset(1e-3f));
    assertThat(image.grayAt(0, 0)).isZero();
  }

  @Test
  void readsEveryFrameOfAMultiFrameFileWithEachFramesOwnRange() throws Exception {
    Path file = tmp.resolve("mri.dcm");
    Files.write(file, DicomFiles.dicom(4, 4, 3, DicomFiles.ramp(16, 3), null, null));
    List<DecodedImage> frames = new DicomReader(1_000_000).read(file);
    assertThat(frames).hasSize(3);
    assertThat(frames.get(2).name()).endsWith("#frame3");
    assertThat(frames.get(1).grayAt(0, 0)).isZero();
    assertThat(frames.get(1).grayAt(3, 3)).isCloseTo(255f, org.assertj.core.data.Offset.offset(1e-3f));
    assertThatThrownBy(() -> new ImageDecoder().decode(file)).isInstanceOf(InvalidImageException.class)
        .hasMessageContaining("3 frames");
  }

  @Test
  void refusesADicomWithoutPixelData() throws Exception {
    Path file = tmp.resolve("nopixels.dcm");
    Files.write(file, DicomFiles.dicom(8, 8, 1, null, null, null));
    assertThatThrownBy(() -> new ImageDecoder().decode(file)).isInstanceOf(InvalidImageException.class)
        .hasMessageContaining("nopixels.dcm").hasMessageContaining("pixel data");
  }

  @Test
  void refusesFramesOverThePixelLimit() {
    byte[] data = DicomFiles.dicom(8, 8, 2, DicomFiles.ramp(64, 2), null, null);
    assertThatThrownBy(() -> new DicomReader(100).read(data, "big.dcm")).isInstanceOf(InvalidImageException.class)
        .hasMessageContaining("above the limit of 100");
  }
}
