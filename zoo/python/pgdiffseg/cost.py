"""Parameters and FLOPs per call of both graphs, for every model size.

    python -m pgdiffseg.cost
"""
from __future__ import annotations

import argparse

from .bundle import model_cost
from .config import SIZES
from .model import PGDiffSeg


def main(argv=None) -> None:
    argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter).parse_args(argv)
    print("| size | input | denoiser params | denoiser GFLOP/step | prior params | prior GFLOP/image |")
    print("|---|---|---:|---:|---:|---:|")
    for name, cfg in SIZES.items():
        c = model_cost(PGDiffSeg(cfg).eval())
        print(f"| {name} | {cfg.image_size}x{cfg.image_size} | {c['denoiser']['parameters']:,} | "
              f"{c['denoiser']['gflops_per_call']} | {c['prior']['parameters']:,} | {c['prior']['gflops_per_call']} |")


if __name__ == "__main__":
    main()
