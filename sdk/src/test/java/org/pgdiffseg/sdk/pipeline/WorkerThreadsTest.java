package org.pgdiffseg.sdk.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.pgdiffseg.sdk.bundle.ModelBundle;
import org.pgdiffseg.sdk.bundle.TestBundles;
import org.pgdiffseg.sdk.runtime.SessionConfig;

/** The deployment defaults: workers share the cores' intra-op threads, nothing spins unless asked to. */
class WorkerThreadsTest {
  @Test
  void threadsZeroBecomeTheCoresSharedAmongTheWorkers() {
    SessionConfig unset = SessionConfig.cpuOnly();
    assertThat(WorkerThreads.resolve(unset, 1, 2).intraOpThreads()).isEqualTo(2);
    assertThat(WorkerThreads.resolve(unset, 2, 2).intraOpThreads()).isEqualTo(1);
    assertThat(WorkerThreads.resolve(unset, 2, 16).intraOpThreads()).isEqualTo(8);
    assertThat(WorkerThreads.resolve(unset, 3, 8).intraOpThreads()).isEqualTo(2);
    assertThat(WorkerThreads.resolve(unset, 8, 2).intraOpThreads()).as("never fewer than one").isEqualTo(1);
  }

  @Test
  void namedThreadsAndEveryOtherSettingAreKept() {
    SessionConfig named = SessionConfig.cpuOnly().toBuilder().intraOpThreads(2).spinning(true).build();
    assertThat(WorkerThreads.resolve(named, 4, 2)).isEqualTo(named);
    SessionConfig unset = SessionConfig.builder().memoryPattern(false).optimization(SessionConfig.Optimization.BASIC)
        .build();
    assertThat(WorkerThreads.resolve(unset, 2, 4)).isEqualTo(unset.toBuilder().intraOpThreads(2).build());
  }

  @Test
  void aSegmenterOpensItsGraphsWithTheResolvedSettings() throws Exception {
    int cores = Runtime.getRuntime().availableProcessors();
    try (Segmenter two = Segmenter.builder().bundle(ModelBundle.open(TestBundles.tiny())).concurrency(2)
        .sessionConfig(SessionConfig.cpuOnly()).build()) {
      assertThat(two.sessionConfig().intraOpThreads()).isEqualTo(Math.max(1, cores / 2));
      assertThat(two.sessionConfig().spinning()).isFalse();
    }
    SessionConfig asked = SessionConfig.cpuOnly().toBuilder().intraOpThreads(1).spinning(true).build();
    try (Segmenter own = Segmenter.builder().bundle(ModelBundle.open(TestBundles.tiny())).sessionConfig(asked)
        .build()) {
      assertThat(own.sessionConfig()).isEqualTo(asked);
      try (Segmenter copy = own.toBuilder().build()) {
        assertThat(copy.sessionConfig()).isEqualTo(asked);
      }
    }
    // A copy with more workers shares the cores out again, as a fresh builder would: the request is what travels.
    try (Segmenter one = Segmenter.builder().bundle(ModelBundle.open(TestBundles.tiny()))
        .sessionConfig(SessionConfig.cpuOnly()).build();
        Segmenter two = one.toBuilder().concurrency(2).build()) {
      assertThat(two.sessionConfig().intraOpThreads()).isEqualTo(Math.max(1, cores / 2));
      assertThat(two.sessionConfig().device()).isEqualTo(SessionConfig.cpuOnly().device());
    }
  }
}
