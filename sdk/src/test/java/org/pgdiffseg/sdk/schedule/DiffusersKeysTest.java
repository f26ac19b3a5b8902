package org.pgdiffseg.sdk.schedule;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.IOException;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every config key of the four diffusers schedulers is implemented, refused or inert in {@link DiffusersKeys}.
 * The keys and defaults are diffusers' own, listed from the signatures of the classes' __init__ by
 * conformance/python/gen_scheduler_keys.py; after a diffusers upgrade regenerate them with
 * {@code python conformance/python/gen_scheduler_keys.py --out sdk/src/test/resources/schedule/diffusers_config_keys.json}
 * and a new key fails here until the SDK implements or refuses it.
 */
class DiffusersKeysTest {
  /** diffusers writes float("-inf") as -Infinity, as in a real scheduler_config.json. */
  static final ObjectMapper JSON = JsonMapper.builder().enable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS).build();

  @SuppressWarnings("unchecked")
  static Map<String, Map<String, Object>> diffusersKeys() throws IOException {
    Map<String, Object> file = JSON.readValue(DiffusersVectorsTest.DIR.resolve("diffusers_config_keys.json").toFile(),
        LinkedHashMap.class);
    assertThat(file.get("diffusers")).isEqualTo("0.42.1");
    return (Map<String, Map<String, Object>>) file.get("classes");
  }

  static List<String> classes() {
    return DiffusersKeys.CLASSES;
  }

  @ParameterizedTest
  @MethodSource("classes")
  void everyDiffusersKeyIsImplementedRefusedOrInert(String className) throws IOException {
    Set<String> keys = diffusersKeys().get(className).keySet();
    Set<String> implemented = DiffusersKeys.IMPLEMENTED.get(className);
    Set<String> refused = DiffusersKeys.REFUSED.get(className).keySet();
    Set<String> inert = DiffusersKeys.INERT.get(className).keySet();
    Set<String> unhandled = new HashSet<>(keys);
    unhandled.removeAll(implemented);
    unhandled.removeAll(refused);
    unhandled.removeAll(inert);
    assertThat(unhandled).as("diffusers keys of %s the SDK neither implements nor refuses", className).isEmpty();

    Set<String> known = new HashSet<>(implemented);
    known.addAll(refused);
    known.addAll(inert);
    assertThat(keys).as("keys listed for %s that diffusers does not have", className).containsAll(known);
    assertThat(implemented).doesNotContainAnyElementsOf(refused).doesNotContainAnyElementsOf(inert);
    assertThat(refused).doesNotContainAnyElementsOf(inert);
    // an inert key is harmless only because the option it tunes is refused
    assertThat(refused).containsAll(DiffusersKeys.INERT.get(className).values());
  }

  @ParameterizedTest
  @MethodSource("classes")
  void refusedKeysAreRefusedAtADifferentValueByNameAndValue(String className) throws IOException {
    Map<String, Object> defaults = diffusersKeys().get(className);
    DiffusersKeys.REFUSED.get(className).forEach((key, refused) -> {
      assertThat(refused.defaultValue()).as("%s default", key).isEqualTo(defaults.get(key));
      Object other = otherValue(defaults.get(key));
      assertThatThrownBy(() -> DiffusersConfig.scheduler(className, Map.of(key, other)))
          .as(key).isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining(key + " = " + other).hasMessageContaining(className);
    });
  }

  @ParameterizedTest
  @MethodSource("classes")
  void diffusersOwnDefaultConfigIsAcceptedAndMeansTheSdkDefaults(String className) throws IOException {
    Map<String, Object> config = new HashMap<>(diffusersKeys().get(className));
    config.put("some_other_schedulers_key", 3);   // ignored, as diffusers ignores unexpected keys
    SchedulerSpec spec = DiffusersConfig.scheduler(className, config);
    Object expected = switch (className) {
      case "DDPMScheduler" -> DdpmConfig.defaults();
      case "DDIMScheduler" -> DdimConfig.defaults();
      case "DPMSolverMultistepScheduler" -> DpmSolverConfig.defaults();
      default -> UniPcConfig.defaults();
    };
    assertThat(spec.config()).isEqualTo(expected);
    assertThat(DiffusersConfig.schedule(config)).isEqualTo(new DiffusionSchedule(1000, "linear", 1e-4, 0.02, "epsilon"));
  }

  /** A value other than {@code value} of a type diffusers would accept for the key. */
  static Object otherValue(Object value) {
    return switch (value) {
      case null -> "learned";
      case Boolean b -> !b;
      case Number n -> n.doubleValue() + 1;
      default -> value + "-other";
    };
  }
}
