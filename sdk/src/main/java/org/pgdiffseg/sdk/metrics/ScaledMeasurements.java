package org.pgdiffseg.sdk.metrics;

import java.util.LinkedHashMap;
import java.util.Map;
import org.pgdiffseg.sdk.imaging.BinaryMask;
import org.pgdiffseg.sdk.imaging.DicomAttributes;

/**
 * A mask's lesions measured at the scale its image states: in pixels always, and in millimetres where its DICOM
 * file gives the pixel size for the largest lesion ({@link DicomAttributes#spacingFor}), with where that size came
 * from, or why there is none, for the record. Immutable.
 */
public record ScaledMeasurements(LesionMeasurements value, String spacingFrom) {
  /**
   * Measures {@code mask} of an image whose DICOM attributes are {@code attributes}; null for an image that is not
   * DICOM, or whose attributes could not be read, and then {@code whyNone} is recorded.
   */
  public static ScaledMeasurements of(BinaryMask mask, DicomAttributes attributes, String whyNone) {
    LesionMeasurements pixels = LesionMeasurements.of(mask, null);
    if (attributes == null) {
      return new ScaledMeasurements(pixels, whyNone);
    }
    int[] box = pixels.largest().map(l -> new int[] {l.left(), l.top(), l.left() + l.width() - 1,
        l.top() + l.height() - 1}).orElse(null);
    DicomAttributes.ChosenSpacing chosen = attributes.spacingFor(box);
    return new ScaledMeasurements(chosen.value() == null ? pixels : LesionMeasurements.of(mask, chosen.value()),
        chosen.source());
  }

  /** {@link LesionMeasurements#toMap}, with {@code spacing_from}. */
  public Map<String, Object> toMap() {
    Map<String, Object> json = new LinkedHashMap<>(value.toMap());
    json.put("spacing_from", spacingFrom);
    return json;
  }
}
