package org.pgdiffseg.sdk.schedule;

/** The last {@code order} converted model outputs of a multistep solver, rotated without allocating. */
final class ModelOutputHistory {
  private final float[][] slots;

  ModelOutputHistory(int order, int length) {
    slots = new float[order][length];
  }

  int length() {
    return slots[0].length;
  }

  /** Drops the oldest output and returns the buffer to write the newest into (index -1 afterwards). */
  float[] push() {
    float[] oldest = slots[0];
    System.arraycopy(slots, 1, slots, 0, slots.length - 1);
    slots[slots.length - 1] = oldest;
    return oldest;
  }

  /** {@code back} = 1 is the newest, 2 the one before, as diffusers' model_outputs[-back]. */
  float[] get(int back) {
    return slots[slots.length - back];
  }
}
