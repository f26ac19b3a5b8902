package org.pgdiffseg.spark;

import static org.apache.spark.sql.types.DataTypes.BinaryType;
import static org.apache.spark.sql.types.DataTypes.BooleanType;
import static org.apache.spark.sql.types.DataTypes.DoubleType;
import static org.apache.spark.sql.types.DataTypes.IntegerType;
import static org.apache.spark.sql.types.DataTypes.StringType;
import static org.apache.spark.sql.types.DataTypes.createMapType;
import static org.apache.spark.sql.types.DataTypes.createStructField;

import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

/**
 * Columns of a result row: one per input file, or one per frame of a multi-frame DICOM. On an input that
 * failed, {@code error} says why and the columns that need a segmentation are null.
 */
public final class ResultSchema {
  /** The input's path as given (a binary file row's {@code path}). */
  public static final String PATH = "path";
  /** 1-based frame number within the file (1 for a single image); null when the file could not be read. */
  public static final String FRAME = "frame";
  /** Number of images in the file (frames of a multi-frame DICOM, else 1); null when it could not be read. */
  public static final String FRAMES = "frames";
  public static final String WIDTH = "width";
  public static final String HEIGHT = "height";
  /** The mask as an 8-bit gray PNG, 0/255, at the original size (the CLI's {@code <name>_mask.png}). */
  public static final String MASK_PNG = "mask_png";
  public static final String LESION_FRACTION = "lesion_fraction";
  /** Whether the gate skipped diffusion (the mask is then empty). */
  public static final String GATE_SKIPPED = "gate_skipped";
  /** Class name to probability, as the bundle names its classes (e.g. tumor, no_tumor). */
  public static final String CLASS_PROBABILITIES = "class_probabilities";
  /**
   * The mask's lesions measured as calipers, as JSON (the form of results.json's {@code measurements}: per lesion,
   * largest first, the area, the longest diameter and the longest perpendicular chord in pixels, and in mm when
   * the image states its pixel spacing); null when the image could not be segmented.
   */
  public static final String MEASUREMENTS = "measurements";
  /** Dice and IoU against the reference mask of the same file name (null without {@code masks}). */
  public static final String DICE = "dice";
  public static final String IOU = "iou";
  /**
   * 95th percentile of the symmetric surface distance to the reference mask in pixels, as eval's {@code hd95};
   * null without {@code masks} or where either mask is empty (eval leaves those out of its mean too).
   */
  public static final String HD95 = "hd95";
  public static final String DECODE_MS = "decode_ms";
  public static final String PREPROCESS_MS = "preprocess_ms";
  public static final String PRIOR_MS = "prior_ms";
  public static final String DENOISE_MS = "denoise_ms";
  public static final String POSTPROCESS_MS = "postprocess_ms";
  public static final String TOTAL_MS = "total_ms";
  /** {@code id version} of the bundle that segmented the image. */
  public static final String MODEL = "model";
  /**
   * The run's record as JSON (RunRecord: the model with its bundle.json sha256, the sampler's CLI name and full
   * diffusers config, steps, seed, start, thresholds, gate, SDK version, device): what reproduces the mask, and
   * what {@code pgdiffseg segment --settings-from} replays once written to a file.
   */
  public static final String RECORD = "record";
  /** Spark's executor id ({@code driver} in local mode). */
  public static final String EXECUTOR_ID = "executor_id";
  /** Null on success; else what went wrong, naming the file. */
  public static final String ERROR = "error";
  /**
   * How far to trust the mask, in [0, 1] (docs/confidence.md); null when the bundle has no confidence model or the
   * image could not be segmented.
   */
  public static final String CONFIDENCE = "confidence";
  /** True when the confidence is below the bundle's review threshold; null where the confidence is. */
  public static final String REVIEW = "review";

  public static final StructType SCHEMA = new StructType(new StructField[] {
      createStructField(PATH, StringType, false),
      createStructField(FRAME, IntegerType, true),
      createStructField(FRAMES, IntegerType, true),
      createStructField(WIDTH, IntegerType, true),
      createStructField(HEIGHT, IntegerType, true),
      createStructField(MASK_PNG, BinaryType, true),
      createStructField(LESION_FRACTION, DoubleType, true),
      createStructField(GATE_SKIPPED, BooleanType, true),
      createStructField(CLASS_PROBABILITIES, createMapType(StringType, DoubleType, false), true),
      createStructField(MEASUREMENTS, StringType, true),
      createStructField(DICE, DoubleType, true),
      createStructField(IOU, DoubleType, true),
      createStructField(HD95, DoubleType, true),
      createStructField(DECODE_MS, DoubleType, true),
      createStructField(PREPROCESS_MS, DoubleType, true),
      createStructField(PRIOR_MS, DoubleType, true),
      createStructField(DENOISE_MS, DoubleType, true),
      createStructField(POSTPROCESS_MS, DoubleType, true),
      createStructField(TOTAL_MS, DoubleType, true),
      createStructField(MODEL, StringType, true),
      createStructField(RECORD, StringType, true),
      createStructField(EXECUTOR_ID, StringType, true),
      createStructField(ERROR, StringType, true),
      createStructField(CONFIDENCE, DoubleType, true),
      createStructField(REVIEW, BooleanType, true),
  });

  private ResultSchema() {}
}
