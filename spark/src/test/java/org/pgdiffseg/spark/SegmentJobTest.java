package org.pgdiffseg.spark;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pgdiffseg.sdk.bundle.TestBundles;
import org.pgdiffseg.sdk.runtime.DeviceChoice;
import org.pgdiffseg.sdk.runtime.OrtRuntime;

class SegmentJobTest {
  @TempDir Path dir;

  @Test
  void writesParquetWithOneRowPerFileAndExitsZeroDespiteABadFile() throws Exception {
    Path images = dir.resolve("images");
    TestImages.writeGood(images, dir.resolve("masks"));
    TestImages.writeBad(images, 8);   // oversized.png is small here, but has no reference mask
    Path output = dir.resolve("out");
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    System.setProperty("spark.ui.enabled", "false");
    System.setProperty("spark.driver.host", "127.0.0.1");
    System.setProperty("spark.driver.bindAddress", "127.0.0.1");
    try {
      int code = SegmentJob.run(new String[] {"--master", "local[2]", "--input", images.toString(), "--masks",
          dir.resolve("masks").toString(), "--output", output.toString(), "--model", TestBundles.tiny().toString(),
          "--steps", "2", "--ensemble", "1", "--partitions", "2"}, new PrintWriter(out), new PrintWriter(err));
      assertThat(code).as(err.toString()).isZero();
    } finally {
      System.clearProperty("spark.ui.enabled");
    }
    assertThat(out.toString()).contains((TestImages.GOOD + 3) + " rows (3 with an error)");
    SparkSession spark = SparkSession.builder().master("local[1]").getOrCreate();
    try {
      List<Row> rows = spark.read().parquet(output.toString()).collectAsList();
      assertThat(rows).hasSize(TestImages.GOOD + 3);
      assertThat(rows).filteredOn(r -> r.getAs(ResultSchema.ERROR) != null)
          .extracting(r -> r.<String>getAs(ResultSchema.PATH)).allMatch(p -> p.endsWith("corrupt.png")
              || p.endsWith("truncated.png") || p.endsWith("oversized.png"));
      Row unmatched = rows.stream().filter(r -> r.<String>getAs(ResultSchema.PATH).endsWith("oversized.png"))
          .findFirst().orElseThrow();
      assertThat(unmatched.<String>getAs(ResultSchema.ERROR)).contains("no reference mask");
      assertThat(unmatched.<byte[]>getAs(ResultSchema.MASK_PNG)).isNotNull();   // the segmentation stands
      assertThat(rows).filteredOn(r -> r.getAs(ResultSchema.ERROR) == null)
          .allMatch(r -> r.getAs(ResultSchema.DICE) != null && r.getAs(ResultSchema.MASK_PNG) != null);
      // the test bundle has no confidence model: the columns are there, and null
      assertThat(rows).allMatch(r -> r.isNullAt(r.fieldIndex(ResultSchema.CONFIDENCE))
          && r.isNullAt(r.fieldIndex(ResultSchema.REVIEW)));
    } finally {
      spark.stop();
      System.clearProperty("spark.driver.host");
      System.clearProperty("spark.driver.bindAddress");
    }
  }

  @Test
  void aMissingBundleIsExitCodeOneWithTheSdksMessage() throws Exception {
    Path images = Files.createDirectories(dir.resolve("images"));   // the output may not lie inside the input
    StringWriter err = new StringWriter();
    System.setProperty("spark.ui.enabled", "false");
    System.setProperty("spark.driver.host", "127.0.0.1");
    System.setProperty("spark.driver.bindAddress", "127.0.0.1");
    try {
      int code = SegmentJob.run(new String[] {"--master", "local[1]", "--input", images.toString(), "--output",
          dir.resolve("out").toString(), "--model", dir.resolve("missing.zip").toString()},
          new PrintWriter(new StringWriter()), new PrintWriter(err, true));
      assertThat(code).isEqualTo(SegmentJob.FAILED);
      assertThat(err.toString()).contains("missing.zip", "not a bundle folder or zip");
    } finally {
      System.clearProperty("spark.ui.enabled");
      System.clearProperty("spark.driver.host");
      System.clearProperty("spark.driver.bindAddress");
    }
  }

  @Test
  void anOutputThatIsContainsOrLiesInsideAnInputIsExitTwoBeforeAnythingIsDeleted() throws Exception {
    Path images = dir.resolve("data/images");
    Path masks = dir.resolve("data/masks");
    TestImages.writeGood(images, masks);
    for (Path output : new Path[] {images, dir.resolve("data"), masks, images.resolve("out")}) {
      StringWriter err = new StringWriter();
      int code = SegmentJob.run(new String[] {"--master", "local[1]", "--input", images.toString(), "--masks",
          masks.toString(), "--output", output.toString(), "--overwrite", "--model", TestBundles.tiny().toString()},
          new PrintWriter(new StringWriter()), new PrintWriter(err, true));
      assertThat(code).as(output.toString()).isEqualTo(SegmentJob.BAD_USAGE);
      assertThat(err.toString()).startsWith("pgdiffseg-spark: --output " + output + " ")
          .contains(" folder ").hasLineCount(1);
    }
    try (var files = Files.list(images)) {
      assertThat(files.count()).isEqualTo(TestImages.GOOD);
    }
    assertThat(images.resolve("out")).doesNotExist();
  }

  @Test
  void partitionsAboveTheCapAreExitTwoWithTheReason() {
    StringWriter err = new StringWriter();
    int code = SegmentJob.run(new String[] {"--input", dir.toString(), "--output", dir.resolve("out").toString(),
        "--partitions", "100000000"}, new PrintWriter(new StringWriter()), new PrintWriter(err, true));
    assertThat(code).isEqualTo(SegmentJob.BAD_USAGE);
    assertThat(err.toString()).isEqualTo("pgdiffseg-spark: --partitions must be 0 (the default) to 100000, got"
        + " 100000000, since the driver keeps every partition's task in memory" + System.lineSeparator());
  }

  @Test
  void aKilledRunIsRerunWithOverwriteAndAnExistingOutputNamesIt() throws Exception {
    Path images = dir.resolve("images");
    TestImages.writeGood(images, dir.resolve("masks"));
    Path output = dir.resolve("out");
    Path attempt = Files.createDirectories(output.resolve("_temporary/0/_temporary/attempt_202612041200_0001_m_000000_1"));
    Files.writeString(attempt.resolve("part-00000-0.c000.snappy.parquet"), "half written");
    String[] job = {"--master", "local[1]", "--input", images.toString(), "--output", output.toString(), "--model",
        TestBundles.tiny().toString(), "--steps", "1", "--ensemble", "1"};
    StringWriter err = new StringWriter();
    assertThat(SegmentJob.run(job, new PrintWriter(new StringWriter()), new PrintWriter(err, true)))
        .isEqualTo(SegmentJob.BAD_USAGE);
    assertThat(err.toString()).contains("--output " + output + " holds the unfinished output of an earlier run",
        "rerun with --overwrite").hasLineCount(1);

    String[] rerun = Arrays.copyOf(job, job.length + 1);
    rerun[job.length] = "--overwrite";
    StringWriter out = new StringWriter();
    err = new StringWriter();
    System.setProperty("spark.ui.enabled", "false");
    try {
      assertThat(SegmentJob.run(rerun, new PrintWriter(out), new PrintWriter(err, true))).as(err.toString()).isZero();
    } finally {
      System.clearProperty("spark.ui.enabled");
    }
    assertThat(out.toString()).contains(TestImages.GOOD + " rows (0 with an error)");
    assertThat(output.resolve("_SUCCESS")).exists();
    assertThat(output.resolve("_temporary")).doesNotExist();

    err = new StringWriter();
    assertThat(SegmentJob.run(job, new PrintWriter(new StringWriter()), new PrintWriter(err, true)))
        .isEqualTo(SegmentJob.BAD_USAGE);
    assertThat(err.toString()).contains("already holds the output of an earlier run; add --overwrite");
  }

  @Test
  void cudaWithoutCudaIsExitTwoWithOneSentenceBeforeSparkStarts() throws Exception {
    Optional<String> why = OrtRuntime.shared().whyNoCuda();
    assumeTrue(why.isPresent(), "CUDA can run on this machine");
    Path images = dir.resolve("images");
    TestImages.writeGood(images, dir.resolve("masks"));
    StringWriter err = new StringWriter();
    int code = SegmentJob.run(new String[] {"--master", "local[1]", "--input", images.toString(), "--output",
        dir.resolve("out").toString(), "--model", TestBundles.tiny().toString(), "--device", "cuda"},
        new PrintWriter(new StringWriter()), new PrintWriter(err, true));
    assertThat(code).isEqualTo(SegmentJob.BAD_USAGE);
    assertThat(err.toString()).isEqualTo("pgdiffseg-spark: device cuda was asked for, but " + why.get()
        + System.lineSeparator());
    assertThat(dir.resolve("out")).doesNotExist();
  }

  @Test
  void cpuAndAnotherDeviceConflict() {
    StringWriter err = new StringWriter();
    int code = SegmentJob.run(new String[] {"--master", "local[1]", "--input", dir.resolve("images").toString(),
        "--output", dir.resolve("out").toString(), "--cpu", "--device", "auto"},
        new PrintWriter(new StringWriter()), new PrintWriter(err, true));
    assertThat(code).isEqualTo(SegmentJob.BAD_USAGE);
    assertThat(err.toString()).isEqualTo("pgdiffseg-spark: --cpu and --device auto conflict (--cpu means --device"
        + " cpu); give one of them" + System.lineSeparator());
  }

  @Test
  void deviceReachesTheExecutorsSessions() {
    assertThat(SegmentOptions.builder().cpu(true).build().sessionConfig(1).device()).isEqualTo(DeviceChoice.CPU);
    assertThat(SegmentOptions.builder().device(DeviceChoice.CUDA).build().sessionConfig(1).device())
        .isEqualTo(DeviceChoice.CUDA);
    assertThat(SegmentOptions.defaults().device()).isEqualTo(DeviceChoice.AUTO);
  }

  @Test
  void aMaxBatchOutOfRangeIsExitTwoWithTheReason() {
    StringWriter err = new StringWriter();
    int code = SegmentJob.run(new String[] {"--master", "local[1]", "--input", dir.resolve("images").toString(),
        "--output", dir.resolve("out").toString(), "--max-batch", "65"},
        new PrintWriter(new StringWriter()), new PrintWriter(err, true));
    assertThat(code).isEqualTo(SegmentJob.BAD_USAGE);
    assertThat(err.toString()).contains("maxBatch must be in 1..64, got 65");
    assertThat(dir.resolve("out")).doesNotExist();
  }
}
