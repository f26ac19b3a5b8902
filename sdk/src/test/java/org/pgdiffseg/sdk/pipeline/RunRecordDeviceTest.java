package org.pgdiffseg.sdk.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;
import org.pgdiffseg.sdk.bundle.ModelBundle;
import org.pgdiffseg.sdk.bundle.TestBundles;
import org.pgdiffseg.sdk.runtime.ExecutionDevice;
import org.pgdiffseg.sdk.runtime.SessionConfig;

class RunRecordDeviceTest {
  @Test
  void recordSaysWhyTheGraphsRanWhereTheyDid() throws Exception {
    try (Segmenter segmenter = Segmenter.builder().bundle(ModelBundle.open(TestBundles.tiny())).steps(2)
        .ensemble(1).gating(false).sessionConfig(SessionConfig.cpuOnly()).build()) {
      RunRecord record = segmenter.record();
      assertThat(record.device()).isEqualTo(ExecutionDevice.CPU);
      assertThat(record.deviceReason()).isEqualTo("device cpu was asked for");
      @SuppressWarnings("unchecked")
      Map<String, Object> runtime = (Map<String, Object>) record.toMap().get("runtime");
      assertThat(runtime).containsEntry("device", "CPU").containsEntry("execution_provider", "CPUExecutionProvider")
          .containsEntry("device_reason", "device cpu was asked for");
      assertThat(RunRecord.fromMap(record.toMap())).isEqualTo(record);
    }
  }

  @Test
  void recordWrittenBeforeTheReasonWasKeptStillReads() throws Exception {
    try (Segmenter segmenter = Segmenter.builder().bundle(ModelBundle.open(TestBundles.tiny())).steps(2)
        .ensemble(1).gating(false).sessionConfig(SessionConfig.cpuOnly()).build()) {
      Map<String, Object> older = segmenter.record().toMap();
      older.put("runtime", Map.of("device", "CPU", "execution_provider", "CPUExecutionProvider"));
      RunRecord read = RunRecord.fromMap(older);
      assertThat(read.deviceReason()).isEmpty();
      assertThat(read.toMap().get("runtime")).isEqualTo(older.get("runtime"));
    }
  }
}
