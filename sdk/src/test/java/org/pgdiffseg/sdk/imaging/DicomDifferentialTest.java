package org.pgdiffseg.sdk.imaging;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * The committed corpus of random DICOM files (written by conformance/python/dicom_differential.py, seed 1) read by
 * the SDK as pydicom 3.0.2 reads them; conformance/python/tests checks that pydicom still gives these answers.
 */
class DicomDifferentialTest {
  @Test
  void theSdkReadsEveryCorpusFileAsPydicomDoes() throws Exception {
    Path corpus = Path.of(DicomDifferentialTest.class.getResource("dicom-differential/expected.json").toURI())
        .getParent();
    DicomDifferential.Outcome outcome = DicomDifferential.compare(corpus);
    assertThat(outcome.disagreements()).isEmpty();
    assertThat(outcome.files()).isGreaterThanOrEqualTo(100);
    assertThat(outcome.bothRefused()).as("truncated files in the corpus").isPositive();
    assertThat(outcome.bothRead() + outcome.bothRefused()).isEqualTo(outcome.files());
  }
}
