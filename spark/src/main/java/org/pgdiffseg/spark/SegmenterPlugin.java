package org.pgdiffseg.spark;

import org.apache.spark.api.plugin.DriverPlugin;
import org.apache.spark.api.plugin.ExecutorPlugin;
import org.apache.spark.api.plugin.SparkPlugin;

/**
 * Closes the executor's Segmenters when the executor stops ({@code spark.plugins=org.pgdiffseg.spark.SegmenterPlugin}),
 * so the native sessions go before the JVM does; without it a shutdown hook closes them at JVM exit.
 */
public final class SegmenterPlugin implements SparkPlugin {
  @Override
  public DriverPlugin driverPlugin() {
    return null;
  }

  @Override
  public ExecutorPlugin executorPlugin() {
    return new ExecutorPlugin() {
      @Override
      public void shutdown() {
        ExecutorSegmenters.closeAll();
      }
    };
  }
}
