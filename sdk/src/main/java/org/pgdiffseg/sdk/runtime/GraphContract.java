package org.pgdiffseg.sdk.runtime;

import java.util.List;
import java.util.Optional;
import org.pgdiffseg.sdk.BundleException;

/**
 * The sizes fixed by a prior/denoiser pair, read from the graphs and checked against the PGDiffSeg graph
 * contract: prior {@code image [N,1,H,W] -> prior [N,C,h,w], class_logits [N,K], coarse_mask [N,1,h',w']};
 * denoiser {@code x_t [N,1,H,W], image [N,1,H,W], t [N], prior [N,C,h,w] -> eps [N,1,H,W]}; all float32,
 * batch open, every other dimension fixed.
 */
record GraphContract(
    int height, int width, int priorChannels, int priorHeight, int priorWidth, int classes, int coarseHeight,
    int coarseWidth) {

  static final String IMAGE = "image";
  static final String PRIOR = "prior";
  static final String CLASS_LOGITS = "class_logits";
  static final String COARSE_MASK = "coarse_mask";
  static final String X_T = "x_t";
  static final String T = "t";
  static final String EPS = "eps";

  static GraphContract of(GraphSession prior, GraphSession denoiser) throws BundleException {
    TensorSpec image = require(prior, prior.inputs(), IMAGE, "input", 4);
    TensorSpec priorOut = require(prior, prior.outputs(), PRIOR, "output", 4);
    TensorSpec logits = require(prior, prior.outputs(), CLASS_LOGITS, "output", 2);
    TensorSpec coarse = require(prior, prior.outputs(), COARSE_MASK, "output", 4);
    TensorSpec xt = require(denoiser, denoiser.inputs(), X_T, "input", 4);
    TensorSpec denoiserImage = require(denoiser, denoiser.inputs(), IMAGE, "input", 4);
    TensorSpec t = require(denoiser, denoiser.inputs(), T, "input", 1);
    TensorSpec denoiserPrior = require(denoiser, denoiser.inputs(), PRIOR, "input", 4);
    TensorSpec eps = require(denoiser, denoiser.outputs(), EPS, "output", 4);

    requireDim(prior, image, 1, 1);
    requireDim(prior, coarse, 1, 1);
    int height = fixed(prior, image, 2);
    int width = fixed(prior, image, 3);
    GraphContract contract = new GraphContract(height, width, fixed(prior, priorOut, 1), fixed(prior, priorOut, 2),
        fixed(prior, priorOut, 3), fixed(prior, logits, 1), fixed(prior, coarse, 2), fixed(prior, coarse, 3));
    for (TensorSpec imageLike : List.of(xt, denoiserImage, eps)) {
      requireDim(denoiser, imageLike, 1, 1);
      requireDim(denoiser, imageLike, 2, height);
      requireDim(denoiser, imageLike, 3, width);
    }
    requireDim(denoiser, denoiserPrior, 1, contract.priorChannels);
    requireDim(denoiser, denoiserPrior, 2, contract.priorHeight);
    requireDim(denoiser, denoiserPrior, 3, contract.priorWidth);
    return contract;
  }

  long[] imageShape(int batch) {
    return new long[] {batch, 1, height, width};
  }

  long[] priorShape(int batch) {
    return new long[] {batch, priorChannels, priorHeight, priorWidth};
  }

  long[] classLogitsShape(int batch) {
    return new long[] {batch, classes};
  }

  long[] coarseMaskShape(int batch) {
    return new long[] {batch, 1, coarseHeight, coarseWidth};
  }

  private static TensorSpec require(GraphSession graph, List<TensorSpec> specs, String name, String kind, int rank)
      throws BundleException {
    Optional<TensorSpec> found = specs.stream().filter(spec -> spec.name().equals(name)).findFirst();
    if (found.isEmpty()) {
      throw new BundleException(graph.path() + ": " + kind + " '" + name + "' missing, graph has " + specs);
    }
    TensorSpec spec = found.get();
    if (spec.elementType() != ElementType.FLOAT32 || spec.rank() != rank) {
      throw new BundleException(graph.path() + ": " + kind + " '" + name + "' must be float32 of rank " + rank
          + ", graph declares " + spec);
    }
    return spec;
  }

  private static int fixed(GraphSession graph, TensorSpec spec, int axis) throws BundleException {
    long dim = spec.dim(axis);
    if (dim <= 0 || dim > Integer.MAX_VALUE) {
      throw new BundleException(graph.path() + ": dimension " + axis + " of " + spec
          + " must be fixed; only the batch may be open");
    }
    return (int) dim;
  }

  private static void requireDim(GraphSession graph, TensorSpec spec, int axis, long expected) throws BundleException {
    if (spec.dim(axis) != expected) {
      throw new BundleException(graph.path() + ": dimension " + axis + " of " + spec + " must be " + expected
          + ", graph declares " + (spec.isDynamic(axis) ? "an open size" : spec.dim(axis)));
    }
  }
}
