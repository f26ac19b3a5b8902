"""Encoder-only copies of the ImageNet weights, for a machine that cannot install the weight packages.

    cd zoo/python && python -m pgdiffseg.imagenet_copies --out /tmp/imagenet --encoder efficientnet-lite2 --half

writes `<encoder>.pth` (the tensors the prior's encoder loads, without the classifier head; float16 with --half,
which `load_imagenet` turns back to float32) for `pgdiffseg.sweep --pretrained-dir` or
`pgdiffseg.budget_train --pretrained-path`. An existing file is never written over.
"""
from __future__ import annotations

import argparse
from pathlib import Path

import torch

from .model import LITE_VARIANTS, efficientnet_lite, imagenet_weights_path


def write_copy(encoder: str, out: Path, half: bool) -> Path:
    target = out / f"{encoder}.pth"
    if target.exists():
        raise SystemExit(f"{target} exists: give another --out")
    state = torch.load(imagenet_weights_path(encoder), map_location="cpu", weights_only=True)
    wanted = efficientnet_lite(encoder, 128).state_dict().keys()
    missing = [k for k in wanted if k not in state]
    if missing:
        raise SystemExit(f"{encoder}'s ImageNet file lacks {missing[:3]}")
    kept = {k: (state[k].half() if half and state[k].is_floating_point() else state[k]) for k in wanted}
    out.mkdir(parents=True, exist_ok=True)
    with open(target, "xb") as f:   # exclusive: a file made meanwhile is not replaced either
        torch.save(kept, f)
    return target


def main(argv=None) -> list[Path]:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--out", type=Path, required=True, help="folder to write <encoder>.pth into")
    p.add_argument("--encoder", action="append", choices=LITE_VARIANTS, required=True, help="repeatable")
    p.add_argument("--half", action="store_true", help="store float16 (half the size; the values rounded)")
    args = p.parse_args(argv)
    written = [write_copy(name, args.out, args.half) for name in dict.fromkeys(args.encoder)]
    for path in written:
        print(f"wrote {path} ({path.stat().st_size / 2**20:.1f} MiB)")
    return written


if __name__ == "__main__":
    main()
