package org.pgdiffseg.spark;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkState;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * At most {@code capacity} values kept open, by key, least recently used closed first; a value is never closed
 * while a {@link Lease} on it is open. When every value is leased the cache holds more than its capacity for
 * as long as the leases last, and trims itself as they close.
 *
 * <p>Thread-safe: loading, leasing and closing are serialized, so concurrent first users of a key load it once.
 */
final class LeasedCache<K, V> {
  /** Opens the value of a key. */
  @FunctionalInterface
  interface Loader<K, V, E extends Exception> {
    V load(K key) throws E;
  }

  private final int capacity;
  private final Consumer<V> closer;
  private final LinkedHashMap<K, Slot> slots = new LinkedHashMap<>(16, 0.75f, true);   // access order: LRU first

  /** {@code closer} closes a value that is evicted or closed by {@link #closeAll}. */
  LeasedCache(int capacity, Consumer<V> closer) {
    checkArgument(capacity >= 1, "capacity must be at least 1, got %s", capacity);
    this.capacity = capacity;
    this.closer = closer;
  }

  /** A lease on the value of {@code key}, loaded now if the cache does not hold it. */
  synchronized <E extends Exception> Lease acquire(K key, Loader<K, V, E> loader) throws E {
    Slot slot = slots.get(key);
    if (slot == null) {
      slot = new Slot(loader.load(key));
      slots.put(key, slot);
    }
    slot.users++;
    trim();
    return new Lease(slot);
  }

  /** Closes every value, leased or not (the executor is stopping); a later {@link #acquire} loads anew. */
  synchronized void closeAll() {
    List<Slot> all = new ArrayList<>(slots.values());
    slots.clear();
    all.forEach(slot -> closer.accept(slot.value));
  }

  synchronized int size() {
    return slots.size();
  }

  private synchronized void release(Slot slot) {
    slot.users--;
    trim();
  }

  /** Closes the least recently used values nobody leases until at most {@code capacity} are open. */
  private void trim() {
    Iterator<Map.Entry<K, Slot>> eldest = slots.entrySet().iterator();
    while (slots.size() > capacity && eldest.hasNext()) {
      Slot slot = eldest.next().getValue();
      if (slot.users == 0) {
        eldest.remove();
        closer.accept(slot.value);
      }
    }
  }

  private final class Slot {
    final V value;
    int users;

    Slot(V value) {
      this.value = value;
    }
  }

  /** One user's hold on a value; {@link #close} (idempotent) lets the cache close it once unused and evicted. */
  final class Lease implements AutoCloseable {
    private final Slot slot;
    private boolean closed;

    private Lease(Slot slot) {
      this.slot = slot;
    }

    V value() {
      synchronized (LeasedCache.this) {
        checkState(!closed, "lease already closed");
        return slot.value;
      }
    }

    @Override
    public void close() {
      synchronized (LeasedCache.this) {
        if (!closed) {
          closed = true;
          release(slot);
        }
      }
    }
  }
}
