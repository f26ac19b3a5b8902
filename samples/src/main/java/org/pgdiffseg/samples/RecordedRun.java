package org.pgdiffseg.samples;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.pgdiffseg.sdk.pipeline.RunRecord;
import org.pgdiffseg.sdk.pipeline.Segmenter;

/**
 * The record of a run as the commands write it (results.json, eval.json): the SDK's {@link RunRecord} at the top
 * level, plus {@code model.source}, the model as the user named it (a zoo id, a folder or a zip), so that a replay
 * finds it again.
 */
record RecordedRun(RunRecord record, String source) {
  /** Records are small; anything larger is not one. */
  private static final long MAX_BYTES = 64L << 20;
  private static final ObjectMapper JSON = new ObjectMapper();

  /** The JSON form: the record's sections, with {@code model.source} added. */
  static Map<String, Object> json(Segmenter segmenter, String source) {
    Map<String, Object> m = new LinkedHashMap<>(segmenter.record().toMap());
    @SuppressWarnings("unchecked")
    Map<String, Object> model = new LinkedHashMap<>((Map<String, Object>) m.get("model"));
    model.put("source", source);
    m.put("model", model);
    return m;
  }

  /** Reads a results.json or eval.json; every problem is an {@link IllegalArgumentException} naming the file. */
  static RecordedRun read(Path file) {
    Map<String, Object> json;
    try {
      if (!Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS)) {
        throw new IllegalArgumentException("--settings-from " + file + ": not a regular file");
      }
      if (Files.size(file) > MAX_BYTES) {
        throw new IllegalArgumentException("--settings-from " + file + ": larger than any results.json (" + MAX_BYTES
            + " bytes)");
      }
      json = JSON.readValue(file.toFile(), new TypeReference<Map<String, Object>>() {});
    } catch (IOException e) {
      throw new IllegalArgumentException("--settings-from " + file + ": not JSON (" + e.getMessage() + ")", e);
    }
    try {
      RunRecord record = RunRecord.fromMap(json);
      Object source = json.get("model") instanceof Map<?, ?> model ? model.get("source") : null;
      return new RecordedRun(record, source instanceof String s && !s.isBlank() ? s : record.modelId());
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("--settings-from " + file + ": not the record of a run: " + e.getMessage(), e);
    }
  }
}
