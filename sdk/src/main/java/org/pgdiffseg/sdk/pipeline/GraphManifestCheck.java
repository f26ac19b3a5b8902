package org.pgdiffseg.sdk.pipeline;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.pgdiffseg.sdk.BundleException;
import org.pgdiffseg.sdk.bundle.BundleManifest.GraphDecl;
import org.pgdiffseg.sdk.bundle.BundleManifest.TensorDecl;
import org.pgdiffseg.sdk.runtime.GraphSession;
import org.pgdiffseg.sdk.runtime.TensorSpec;

/** Compares a graph's own metadata with what the bundle manifest declares for it. */
final class GraphManifestCheck {
  private GraphManifestCheck() {}

  static void check(String graph, GraphDecl declared, GraphSession session) throws BundleException {
    List<String> problems = new ArrayList<>();
    compare(graph + " input", declared.inputs(), session.inputs(), problems);
    compare(graph + " output", declared.outputs(), session.outputs(), problems);
    if (!problems.isEmpty()) {
      throw new BundleException(session.path() + " does not match bundle.json: " + String.join("; ", problems));
    }
  }

  private static void compare(String what, List<TensorDecl> declared, List<TensorSpec> actual, List<String> problems) {
    List<String> actualNames = actual.stream().map(TensorSpec::name).toList();
    List<String> declaredNames = declared.stream().map(TensorDecl::name).toList();
    if (!actualNames.equals(declaredNames)) {
      problems.add(what + "s: bundle.json declares " + declaredNames + ", the graph has " + actualNames);
      return;
    }
    for (int i = 0; i < declared.size(); i++) {
      long[] want = declared.get(i).dims();
      long[] have = actual.get(i).shape().stream().mapToLong(Long::longValue).toArray();
      boolean same = want.length == have.length;
      for (int d = 0; same && d < want.length; d++) {
        same = want[d] == have[d] || (want[d] < 0 && have[d] < 0);
      }
      if (!same) {
        problems.add(what + " '" + declaredNames.get(i) + "': bundle.json declares shape " + declared.get(i).shape()
            + ", the graph has " + Arrays.toString(have));
      }
      String dtype = actual.get(i).elementType().manifestName();
      if (!dtype.equals(declared.get(i).dtype())) {
        problems.add(what + " '" + declaredNames.get(i) + "': bundle.json declares " + declared.get(i).dtype()
            + ", the graph has " + dtype);
      }
    }
  }
}
