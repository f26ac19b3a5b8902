package org.pgdiffseg.spark;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class LeasedCacheTest {
  private final List<String> closed = new ArrayList<>();
  private final LeasedCache<String, String> cache = new LeasedCache<>(2, closed::add);

  @Test
  void theLeastRecentlyUsedValueIsClosedOverCapacity() {
    cache.acquire("a", k -> k + "!").close();
    cache.acquire("b", k -> k + "!").close();
    cache.acquire("a", k -> "reloaded").close();   // a is now the most recently used
    assertThat(closed).isEmpty();
    cache.acquire("c", k -> k + "!").close();
    assertThat(closed).containsExactly("b!");
    assertThat(cache.size()).isEqualTo(2);
    cache.closeAll();
    assertThat(closed).containsExactlyInAnyOrder("b!", "a!", "c!");
  }

  @Test
  void aLeasedValueIsClosedOnlyWhenItsLastLeaseCloses() {
    LeasedCache<String, String>.Lease first = cache.acquire("a", k -> k + "!");
    LeasedCache<String, String>.Lease second = cache.acquire("a", k -> "not loaded twice");
    LeasedCache<String, String>.Lease b = cache.acquire("b", k -> k + "!");
    LeasedCache<String, String>.Lease c = cache.acquire("c", k -> k + "!");
    assertThat(closed).isEmpty();   // all three in use: over capacity for as long as the leases last
    assertThat(cache.size()).isEqualTo(3);
    assertThat(second.value()).isEqualTo("a!");
    first.close();
    first.close();   // idempotent: one release
    assertThat(closed).isEmpty();
    second.close();
    assertThat(closed).containsExactly("a!");   // the eldest, once nobody uses it
    b.close();
    c.close();
    assertThat(closed).containsExactly("a!");
    assertThat(cache.size()).isEqualTo(2);
  }
}
