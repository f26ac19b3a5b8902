package org.pgdiffseg.spark;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pgdiffseg.sdk.BundleException;
import org.pgdiffseg.sdk.bundle.ModelBundle;
import org.pgdiffseg.sdk.bundle.TestBundles;
import org.pgdiffseg.sdk.imaging.DecodedImage;
import org.pgdiffseg.sdk.imaging.ImageDecoder;
import org.pgdiffseg.sdk.imaging.ImageWriter;
import org.pgdiffseg.sdk.metrics.ImageScale;
import org.pgdiffseg.sdk.metrics.MaskOverlap;
import org.pgdiffseg.sdk.metrics.ScaledMeasurements;
import org.pgdiffseg.sdk.pipeline.RunRecord;
import org.pgdiffseg.sdk.pipeline.SegmentRequest;
import org.pgdiffseg.sdk.pipeline.SegmentationResult;
import org.pgdiffseg.sdk.pipeline.Segmenter;

class SparkSegmentationTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final long MAX_PIXELS = 200_000;

  @TempDir static Path dir;
  private static SparkSession spark;
  private static Path images;
  private static Path masks;
  private static SegmentOptions options;

  @BeforeAll
  static void start() throws IOException {
    images = dir.resolve("images");
    masks = dir.resolve("masks");
    TestImages.writeGood(images, masks);
    TestImages.writeBad(images, 500);   // 250,000 pixels: above MAX_PIXELS
    // Gating off: the tiny model's random gate would skip most images, and the point is the diffusion.
    options = SegmentOptions.builder().model(TestBundles.tiny().toString()).steps(4).ensemble(2).seed(7L)
        .gating(false).maxPixels(MAX_PIXELS).masks(masks.toString()).build();
    spark = SparkSession.builder().master("local[2]").appName("pgdiffseg-spark-test")
        .config("spark.ui.enabled", "false")
        .config("spark.driver.host", "127.0.0.1")
        .config("spark.driver.bindAddress", "127.0.0.1")
        .config("spark.sql.shuffle.partitions", "4")
        .config("spark.plugins", SegmenterPlugin.class.getName())
        .getOrCreate();
  }

  @AfterAll
  static void stop() {
    spark.stop();   // the executor stops and its plugin closes the Segmenters
    assertThat(ExecutorSegmenters.openedCount()).isPositive();
    assertThat(ExecutorSegmenters.closedCount()).isEqualTo(ExecutorSegmenters.openedCount());
  }

  @Test
  void everyFileIsOneRowAndMasksAndDiceEqualTheSdks() throws Exception {
    Dataset<Row> input = SparkSegmentation.readImages(spark, images.toString(), 3);
    assertThat(input.rdd().getNumPartitions()).isEqualTo(3);
    Map<String, Row> rows = byName(SparkSegmentation.segment(input, options).collectAsList());

    assertThat(rows).hasSize(TestImages.GOOD + 3);
    assertThat(rows.get("corrupt.png").<String>getAs(ResultSchema.ERROR)).contains("corrupt.png");
    assertThat(rows.get("truncated.png").<String>getAs(ResultSchema.ERROR)).contains("truncated.png");
    assertThat(rows.get("oversized.png").<String>getAs(ResultSchema.ERROR))
        .contains("oversized.png", "above the limit of " + MAX_PIXELS);
    assertThat(rows.get("corrupt.png").<byte[]>getAs(ResultSchema.MASK_PNG)).isNull();

    ImageDecoder decoder = new ImageDecoder();
    try (Segmenter sdk = options.apply(Segmenter.builder().bundle(ModelBundle.open(TestBundles.tiny()))).build()) {
      for (Path file : goodImages()) {
        Row row = rows.get(file.getFileName().toString());
        assertThat(row.<String>getAs(ResultSchema.ERROR)).as(file.toString()).isNull();
        SegmentationResult expected = sdk.segment(decoder.decode(file), SegmentRequest.defaults());
        DecodedImage mask = decoder.decode(row.<byte[]>getAs(ResultSchema.MASK_PNG), "mask_png");
        assertThat(new int[] {mask.width(), mask.height()})
            .containsExactly(row.<Integer>getAs(ResultSchema.WIDTH), row.<Integer>getAs(ResultSchema.HEIGHT))
            .containsExactly(expected.width(), expected.height());
        assertThat(mask.grayCopy()).containsOnly(0f, 255f);
        assertThat(row.<byte[]>getAs(ResultSchema.MASK_PNG))
            .isEqualTo(ImageWriter.encodeGrayPng(expected.mask().pixels(), expected.width(), expected.height()));
        MaskOverlap overlap = MaskOverlap.of(expected.mask(), decoder.decode(masks.resolve(file.getFileName())));
        assertThat(row.<Double>getAs(ResultSchema.DICE)).isEqualTo(overlap.dice());
        assertThat(row.<Double>getAs(ResultSchema.IOU)).isEqualTo(overlap.iou());
        assertThat(row.<Double>getAs(ResultSchema.HD95))   // null where a mask is empty, as eval leaves it out
            .isEqualTo(Double.isNaN(overlap.hd95()) ? null : overlap.hd95());
        assertThat(row.<Double>getAs(ResultSchema.LESION_FRACTION)).isEqualTo(expected.mask().lesionFraction());
        assertThat(row.<Integer>getAs(ResultSchema.FRAME)).isEqualTo(1);
        assertThat(row.<String>getAs(ResultSchema.EXECUTOR_ID)).isEqualTo("driver");
        assertThat(row.<Double>getAs(ResultSchema.DENOISE_MS)).isPositive();
        assertThat(row.getJavaMap(row.fieldIndex(ResultSchema.CLASS_PROBABILITIES)))
            .isEqualTo(expected.gate().asMap());
        // the run's record and the mask's measurements, as results.json has them
        String record = row.getAs(ResultSchema.RECORD);
        assertThat(record).isEqualTo(JSON.writeValueAsString(sdk.record().toMap()));
        assertThat(RunRecord.fromMap(JSON.readValue(record, Map.class))).isEqualTo(sdk.record());
        assertThat(row.<String>getAs(ResultSchema.MEASUREMENTS))
            .isEqualTo(JSON.writeValueAsString(ScaledMeasurements.of(expected.mask(), null, ImageScale.NOT_DICOM)
                .toMap()));
      }
    }
  }

  @Test
  void theAnswerDoesNotDependOnPartitioningOrInputKind() throws Exception {
    Dataset<Row> binaryRows = spark.read().format("binaryFile").load(images.toString()).coalesce(1);
    Dataset<Row> paths = SparkSegmentation.readImages(spark, images.toString(), 5)
        .orderBy(org.apache.spark.sql.functions.col(SparkSegmentation.PATH).desc());
    Map<String, Row> one = byName(SparkSegmentation.segment(binaryRows, options).collectAsList());
    Map<String, Row> five = byName(SparkSegmentation.segment(paths, options.toBuilder().masks(null).build())
        .collectAsList());
    assertThat(one.keySet()).isEqualTo(five.keySet()).hasSize(TestImages.GOOD + 3);
    for (Path file : goodImages()) {
      String name = file.getFileName().toString();
      assertThat(one.get(name).<byte[]>getAs(ResultSchema.MASK_PNG)).as(name)
          .isEqualTo(five.get(name).<byte[]>getAs(ResultSchema.MASK_PNG));
      assertThat(five.get(name).<Double>getAs(ResultSchema.DICE)).isNull();
    }
    assertThat(one.get("oversized.png").<String>getAs(ResultSchema.ERROR)).contains("above the limit of " + MAX_PIXELS);
  }

  @Test
  void batchingTheConcurrentTasksImagesChangesNoRow() throws Exception {
    // two partitions on local[2]: two tasks segment at once, and a long wait lets their images meet in a batch
    Dataset<Row> input = SparkSegmentation.readImages(spark, images.toString(), 2);
    Map<String, Row> off = byName(SparkSegmentation.segment(input, options.toBuilder().maxBatch(1).build())
        .collectAsList());
    Map<String, Row> batched = byName(SparkSegmentation.segment(input,
        options.toBuilder().maxBatch(2).maxWaitMillis(200).build()).collectAsList());
    assertThat(batched.keySet()).isEqualTo(off.keySet()).hasSize(TestImages.GOOD + 3);
    for (Path file : goodImages()) {
      String name = file.getFileName().toString();
      for (String column : List.of(ResultSchema.MASK_PNG, ResultSchema.MEASUREMENTS, ResultSchema.DICE,
          ResultSchema.LESION_FRACTION)) {
        assertThat((Object) batched.get(name).getAs(column)).as(name + " " + column)
            .isEqualTo(off.get(name).getAs(column));
      }
      assertThat(batched.get(name).getJavaMap(batched.get(name).fieldIndex(ResultSchema.CLASS_PROBABILITIES)))
          .isEqualTo(off.get(name).getJavaMap(off.get(name).fieldIndex(ResultSchema.CLASS_PROBABILITIES)));
    }
  }

  @Test
  void aDicomWithItsPixelSpacingIsMeasuredInMillimetres() throws Exception {
    Path folder = Files.createDirectories(dir.resolve("dicom"));
    Files.write(folder.resolve("scan.dcm"), org.pgdiffseg.sdk.imaging.DicomFiles.identified(48, 64, 1, "1.2.3",
        "1.2.3.4", "1.2.3.4.5", "0.5\\0.5"));
    Row row = SparkSegmentation.segment(SparkSegmentation.readImages(spark, folder.toString(), 1),
        options.toBuilder().masks(null).maskThreshold(0.01).build()).collectAsList().get(0);
    assertThat(row.<String>getAs(ResultSchema.ERROR)).isNull();
    var measurements = JSON.readTree(row.<String>getAs(ResultSchema.MEASUREMENTS));
    assertThat(measurements.path("spacing_from").asText()).isEqualTo("Pixel Spacing (0028,0030)");
    var longest = measurements.path("lesions").get(0).path("longest");
    assertThat(longest.path("mm").asDouble()).isEqualTo(0.5 * longest.path("px").asDouble());
  }

  @Test
  void aMissingOrTamperedBundleFailsBeforeAnyImage() throws Exception {
    Dataset<Row> input = SparkSegmentation.readImages(spark, images.toString(), 2);
    assertThatThrownBy(() -> SparkSegmentation.segment(input,
        options.toBuilder().model(dir.resolve("no-such-bundle").toString()).build()))
        .isInstanceOf(BundleException.class).hasMessageContaining("not a bundle folder or zip");
    Path tampered = TestBundles.copyOfTiny(dir.resolve("tampered"));
    Path denoiser = tampered.resolve("denoiser.onnx");
    byte[] bytes = Files.readAllBytes(denoiser);
    bytes[bytes.length / 2] ^= 1;
    Files.write(denoiser, bytes);
    assertThatThrownBy(() -> SparkSegmentation.segment(input, options.toBuilder().model(tampered.toString()).build()))
        .isInstanceOf(BundleException.class).hasMessageContaining("Checksum error");
  }

  @Test
  void partitionsAreAtMostOnePerFileAndAtMostTheCap() {
    assertThat(SparkSegmentation.readImages(spark, images.toString(), 50).rdd().getNumPartitions())
        .isEqualTo(TestImages.GOOD + 3);
    assertThatThrownBy(() -> SparkSegmentation.readImages(spark, images.toString(),
        SparkSegmentation.MAX_PARTITIONS + 1)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("partitions must be 0 (the default) to 100000, got 100001");
  }

  @Test
  void aListedFolderIsDealtOutInTurnWithoutAShuffle() {
    Dataset<Row> listed = SparkSegmentation.readImages(spark, images.toString(), 2);
    List<String> sorted = listed.collectAsList().stream().map(r -> r.<String>getAs(SparkSegmentation.PATH))
        .sorted().toList();
    List<List<Row>> partitions = listed.javaRDD().glom().collect();
    assertThat(partitions).hasSize(2);
    for (int p = 0; p < 2; p++) {
      List<String> expected = new ArrayList<>();
      for (int i = p; i < sorted.size(); i += 2) {
        expected.add(sorted.get(i));
      }
      // parallelize cuts the dealt list by position, so at most one file crosses a boundary
      List<String> got = new ArrayList<>(partitions.get(p).stream()
          .map(r -> r.<String>getAs(SparkSegmentation.PATH)).toList());
      got.retainAll(expected);
      assertThat(got.size()).isGreaterThanOrEqualTo(expected.size() - 1);
    }
    assertThat(listed.queryExecution().executedPlan().toString()).doesNotContain("Exchange");
  }

  @Test
  void masksAreMatchedByThePathRelativeToTheImagesFolder() throws Exception {
    Path root = dir.resolve("nested/images");
    Path nestedMasks = dir.resolve("nested/masks");
    Map<String, String> sources = Map.of("p1/img.png", "image_0.png", "p2/img.png", "image_3.png",
        "p3/flat.png", "image_4.png");
    for (Map.Entry<String, String> e : sources.entrySet()) {
      Files.createDirectories(root.resolve(e.getKey()).getParent());
      Files.copy(images.resolve(e.getValue()), root.resolve(e.getKey()));
      if (!e.getKey().startsWith("p3")) {
        Files.createDirectories(nestedMasks.resolve(e.getKey()).getParent());
        Files.copy(masks.resolve(e.getValue()), nestedMasks.resolve(e.getKey()));
      }
    }
    Files.copy(masks.resolve("image_4.png"), nestedMasks.resolve("flat.png"));   // flat: not p3's mask
    SegmentOptions nested = options.toBuilder().masks(nestedMasks.toString()).imagesRoot(root.toString()).build();
    Map<String, Row> rows = new HashMap<>();
    for (Row row : SparkSegmentation.segment(SparkSegmentation.readImages(spark, root.toString(), 2), nested)
        .collectAsList()) {
      rows.put(root.relativize(Path.of(row.<String>getAs(ResultSchema.PATH))).toString(), row);
    }
    assertThat(rows).containsOnlyKeys(sources.keySet());
    ImageDecoder decoder = new ImageDecoder();
    try (Segmenter sdk = options.apply(Segmenter.builder().bundle(ModelBundle.open(TestBundles.tiny()))).build()) {
      for (String name : List.of("p1/img.png", "p2/img.png")) {
        SegmentationResult expected = sdk.segment(decoder.decode(root.resolve(name)), SegmentRequest.defaults());
        MaskOverlap overlap = MaskOverlap.of(expected.mask(), decoder.decode(nestedMasks.resolve(name)));
        assertThat(rows.get(name).<String>getAs(ResultSchema.ERROR)).as(name).isNull();
        assertThat(rows.get(name).<Double>getAs(ResultSchema.DICE)).as(name).isEqualTo(overlap.dice());
      }
    }
    assertThat(rows.get("p3/flat.png").<String>getAs(ResultSchema.ERROR))
        .contains(nestedMasks.resolve("p3/flat.png") + ": no reference mask", "relative to " + root);
  }

  @Test
  void twoImagesOfOneNameAreRefusedWhenMasksAreMatchedByName() {
    Dataset<Row> paths = spark.createDataset(List.of("/scans/p1/img.png", "/scans/p2/img.png", "/scans/p2/b.png"),
        org.apache.spark.sql.Encoders.STRING()).toDF(SparkSegmentation.PATH);
    assertThatThrownBy(() -> SparkSegmentation.segment(paths, options))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("/scans/p1/img.png and /scans/p2/img.png", masks.resolve("img.png").toString());
  }

  @Test
  void whatTheFolderListingCannotReadIsAnErrorRowAndTheJobGoesOn() throws Exception {
    Path folder = Files.createDirectories(dir.resolve("hostile"));
    Files.copy(images.resolve("image_0.png"), folder.resolve("good.png"));
    Process mkfifo = new ProcessBuilder("mkfifo", folder.resolve("fifo.png").toString()).start();
    assertThat(mkfifo.waitFor()).isZero();
    Files.createSymbolicLink(folder.resolve("loop.png"), folder.resolve("loop.png"));
    Map<String, Row> rows = byName(SparkSegmentation.segment(SparkSegmentation.readImages(spark, folder.toString(),
        2), options.toBuilder().masks(null).build()).collectAsList());
    assertThat(rows).containsOnlyKeys("good.png", "fifo.png", "loop.png");
    assertThat(rows.get("good.png").<String>getAs(ResultSchema.ERROR)).isNull();
    assertThat(rows.get("fifo.png").<String>getAs(ResultSchema.ERROR)).contains("fifo.png", "not a regular file");
    assertThat(rows.get("loop.png").<String>getAs(ResultSchema.ERROR)).contains("loop.png", "missing or loops");
    assertThat(rows.get("fifo.png").<byte[]>getAs(ResultSchema.MASK_PNG)).isNull();
  }

  @Test
  void anEarlierResultReadBackAsInputIsSegmentedAgainFailuresIncluded() throws Exception {
    String good = images.resolve("image_0.png").toString();
    Dataset<Row> earlier = spark.createDataFrame(List.of(org.apache.spark.sql.RowFactory.create(good, "a failure")),
        new org.apache.spark.sql.types.StructType().add(ResultSchema.PATH, "string").add(ResultSchema.ERROR, "string"));
    List<Row> rows = SparkSegmentation.segment(earlier, options.toBuilder().masks(null).build()).collectAsList();
    assertThat(rows).singleElement().satisfies(row -> {
      assertThat(row.<String>getAs(ResultSchema.ERROR)).isNull();
      assertThat(row.<byte[]>getAs(ResultSchema.MASK_PNG)).isNotNull();
    });
  }

  private static List<Path> goodImages() throws IOException {
    try (var files = Files.list(images)) {
      return files.filter(p -> p.getFileName().toString().matches("fixture\\.png|image_\\d\\.png")).sorted().toList();
    }
  }

  private static Map<String, Row> byName(List<Row> rows) {
    Map<String, Row> map = new HashMap<>();
    for (Row row : rows) {
      String path = row.getAs(ResultSchema.PATH);
      assertThat(map.put(path.substring(path.lastIndexOf('/') + 1), row)).as("one row per file: " + path).isNull();
    }
    return map;
  }
}
