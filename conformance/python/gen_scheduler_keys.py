"""The config keys of the diffusers schedulers the SDK reimplements, for DiffusersKeysTest (docs/schedulers.md).

    python conformance/python/gen_scheduler_keys.py --out sdk/src/test/resources/schedule/diffusers_config_keys.json

A scheduler's config keys are the parameters of its __init__ (register_to_config stores them in
scheduler_config.json); this writes each class's keys with their defaults as diffusers declares them, in
the JSON diffusers itself writes (float("-inf") as -Infinity).
"""
from __future__ import annotations

import argparse
import inspect
import json
from pathlib import Path

import diffusers

CLASSES = ("DDPMScheduler", "DDIMScheduler", "DPMSolverMultistepScheduler", "UniPCMultistepScheduler")


def keys() -> dict:
    out = {}
    for name in CLASSES:
        params = inspect.signature(getattr(diffusers, name).__init__).parameters
        out[name] = {k: p.default for k, p in params.items() if k != "self"}
    return out


def main(argv=None) -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--out", type=Path, required=True)
    args = p.parse_args(argv)
    args.out.write_text(json.dumps({"diffusers": diffusers.__version__, "classes": keys()}, indent=1) + "\n")
    print(f"wrote the config keys of {len(CLASSES)} classes to {args.out}")


if __name__ == "__main__":
    main()
