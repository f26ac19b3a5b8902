"""Broken graphs for tests: a prior of the test bundle's size with other random weights, to show the
conformance suite catches weights that do not match the reference; and the test bundle's denoiser with NaN
added to its output below a timestep, to show the SDK refuses to build a mask from non-finite values.

    python conformance/python/make_broken_graphs.py --out conformance/src/test/resources/broken \
        --nan-denoiser sdk/src/test/resources/broken/denoiser-nan-below-t500.onnx
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "zoo" / "python"))

from pgdiffseg.export import export_graphs, random_model  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]
NAN_BELOW_T = 500.0


def nan_denoiser(source: Path, out: Path, below_t: float = NAN_BELOW_T) -> None:
    """The denoiser of `source` with eps + (t < below_t ? NaN : 0): finite early steps, NaN later."""
    import numpy as np
    import onnx
    from onnx import helper, numpy_helper
    model = onnx.load(str(source))
    g = model.graph
    eps = g.output[0].name
    inner = eps + "_finite"
    for node in g.node:
        node.output[:] = [inner if o == eps else o for o in node.output]
    consts = {"nan_shape": np.array([-1, 1, 1, 1], np.int64), "nan_below": np.array(below_t, np.float32),
              "nan_value": np.array(np.nan, np.float32), "nan_zero": np.array(0.0, np.float32)}
    g.initializer.extend(numpy_helper.from_array(v, k) for k, v in consts.items())
    g.node.extend([
        helper.make_node("Reshape", ["t", "nan_shape"], ["nan_t"]),
        helper.make_node("Less", ["nan_t", "nan_below"], ["nan_late"]),
        helper.make_node("Where", ["nan_late", "nan_value", "nan_zero"], ["nan_term"]),
        helper.make_node("Add", [inner, "nan_term"], [eps]),
    ])
    onnx.checker.check_model(model)
    out.parent.mkdir(parents=True, exist_ok=True)
    onnx.save(model, str(out))


def main(argv=None) -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--out", type=Path, required=True)
    p.add_argument("--nan-denoiser", type=Path, help="also write the NaN-emitting denoiser here")
    args = p.parse_args(argv)
    if args.nan_denoiser:
        nan_denoiser(ROOT / "zoo" / "models" / "pgdiffseg-tiny-test" / "denoiser.onnx", args.nan_denoiser)
    staging = args.out / "staging"
    prior, denoiser = export_graphs(random_model("tiny", 8), staging)
    prior.replace(args.out / "prior-other-weights.onnx")
    denoiser.unlink()
    staging.rmdir()


if __name__ == "__main__":
    main()
