package org.pgdiffseg.conformance;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/** Told of each conformance check as it completes, on the thread that runs the suite (a CLI's progress). */
@FunctionalInterface
public interface CheckListener {
  CheckListener NONE = result -> {};

  void onCheck(CheckResult result);

  /** A list of results that tells {@code listener} of every result added to it. */
  static List<CheckResult> notifying(CheckListener listener) {
    return new ArrayList<>() {
      @Override
      public boolean add(CheckResult result) {
        super.add(result);
        listener.onCheck(result);
        return true;
      }

      @Override
      public boolean addAll(Collection<? extends CheckResult> results) {
        results.forEach(this::add);
        return !results.isEmpty();
      }
    };
  }
}
