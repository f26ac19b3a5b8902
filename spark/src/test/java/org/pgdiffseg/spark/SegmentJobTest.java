package org.pgdiffseg.spark;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.List;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pgdiffseg.sdk.bundle.TestBundles;

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
    } finally {
      spark.stop();
      System.clearProperty("spark.driver.host");
      System.clearProperty("spark.driver.bindAddress");
    }
  }

  @Test
  void aMissingBundleIsExitCodeOneWithTheSdksMessage() {
    StringWriter err = new StringWriter();
    System.setProperty("spark.ui.enabled", "false");
    System.setProperty("spark.driver.host", "127.0.0.1");
    System.setProperty("spark.driver.bindAddress", "127.0.0.1");
    try {
      int code = SegmentJob.run(new String[] {"--master", "local[1]", "--input", dir.toString(), "--output",
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
}
