"""Graphs for the conformance suite's own tests: a prior of the test bundle's size with other random weights,
to show the suite catches weights that do not match the reference.

    python conformance/python/make_broken_graphs.py --out conformance/src/test/resources/broken
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "zoo" / "python"))

from pgdiffseg.export import export_graphs, random_model  # noqa: E402


def main(argv=None) -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--out", type=Path, required=True)
    args = p.parse_args(argv)
    staging = args.out / "staging"
    prior, denoiser = export_graphs(random_model("tiny", 8), staging)
    prior.replace(args.out / "prior-other-weights.onnx")
    denoiser.unlink()
    staging.rmdir()


if __name__ == "__main__":
    main()
