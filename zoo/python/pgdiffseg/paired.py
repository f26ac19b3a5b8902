"""Two models on the same images: the per-image difference in Dice, with a paired bootstrap interval.

    python -m pgdiffseg.paired A.json B.json --gate-threshold 0.99

A.json and B.json are `python -m pgdiffseg.evaluate ... --gate-threshold 1.01 --json FILE` outputs (their first run:
every image segmented, with its P(skip)). `--gate-threshold` applies a gate afterwards from P(skip), as the SDK would
(a skipped normal image scores 1, a skipped tumor image 0); each model may have its own (`--gate-threshold-b`).
Prints B - A: mean Dice over all images and over the tumor images, a 95 % interval of the mean over all images from
resampling the images with replacement (seeded, so the same files give the same interval), how many images
moved by more than 0.05 each way, and each model's gate accuracy. On 78 validation images an interval that holds 0
says the two models cannot be told apart there.
"""
from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np

from .evaluate import gate_was_right, skipped_or_own_dice

MOVED = 0.05   # a change of Dice worth counting as one image better or worse


def rows_of(path: Path) -> dict[str, dict]:
    """The first run's per-image rows of an evaluate --json file, by image id."""
    try:
        runs = json.loads(path.read_text())
        rows = runs[0]["per_image"]
        return {r["id"]: r for r in rows if {"dice", "class", "p_skip"} <= r.keys()}
    except (OSError, ValueError, LookupError, TypeError, AttributeError) as e:
        raise SystemExit(f"{path}: not the output of pgdiffseg.evaluate --json ({type(e).__name__}: {e})") from e


def gated_dice(row: dict, threshold: float) -> float:
    """The image's Dice with the gate at this threshold."""
    return skipped_or_own_dice(row, row["p_skip"] >= threshold)


def compare(a: dict[str, dict], b: dict[str, dict], threshold_a: float, threshold_b: float, resamples: int = 10000,
            seed: int = 0) -> dict:
    if a.keys() != b.keys():
        raise SystemExit(f"the two files hold different images: {len(a.keys() ^ b.keys())} in only one of them")
    if not a:
        raise SystemExit("no images to compare")
    ids = sorted(a)
    da = np.array([gated_dice(a[i], threshold_a) for i in ids])
    db = np.array([gated_dice(b[i], threshold_b) for i in ids])
    tumor = np.array([a[i]["class"] != "normal" for i in ids])
    diff = db - da
    draws = np.random.default_rng(seed).integers(0, len(ids), size=(resamples, len(ids)))
    means = diff[draws].mean(axis=1)

    def gate_accuracy(rows: dict[str, dict], threshold: float) -> float:
        return float(np.mean([gate_was_right(rows[i], rows[i]["p_skip"] >= threshold) for i in ids]))

    return {"images": len(ids), "tumor_images": int(tumor.sum()),
            "dice_a": float(da.mean()), "dice_b": float(db.mean()),
            "dice_tumor_a": float(da[tumor].mean()) if tumor.any() else None,
            "dice_tumor_b": float(db[tumor].mean()) if tumor.any() else None,
            "difference": float(diff.mean()),
            "difference_tumor": float(diff[tumor].mean()) if tumor.any() else None,
            "interval_95": [float(np.quantile(means, 0.025)), float(np.quantile(means, 0.975))],
            "better": int((diff > MOVED).sum()), "worse": int((diff < -MOVED).sum()),
            "gate_accuracy_a": gate_accuracy(a, threshold_a), "gate_accuracy_b": gate_accuracy(b, threshold_b)}


def main(argv=None) -> dict:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("a", type=Path, help="evaluate --json output of the first model")
    p.add_argument("b", type=Path, help="evaluate --json output of the second model")
    p.add_argument("--gate-threshold", type=float, default=1.01,
                   help="skip at P(skip) >= this (default 1.01: no gate)")
    p.add_argument("--gate-threshold-b", type=float, help="the second model's, when it differs")
    p.add_argument("--resamples", type=int, default=10000)
    args = p.parse_args(argv)
    if args.resamples < 1:
        p.error("--resamples must be at least 1")
    r = compare(rows_of(args.a), rows_of(args.b), args.gate_threshold,
                args.gate_threshold if args.gate_threshold_b is None else args.gate_threshold_b, args.resamples)
    low, high = r["interval_95"]
    tumor = "" if r["difference_tumor"] is None else (
        f"; tumor images ({r['tumor_images']}): {r['dice_tumor_a']:.4f} -> {r['dice_tumor_b']:.4f} "
        f"({r['difference_tumor']:+.4f})")
    print(f"{r['images']} images: Dice {r['dice_a']:.4f} -> {r['dice_b']:.4f} ({r['difference']:+.4f}, 95 % paired "
          f"bootstrap interval [{low:+.4f}, {high:+.4f}]){tumor}")
    print(f"better by > {MOVED}: {r['better']} images, worse: {r['worse']}; gate accuracy {r['gate_accuracy_a']:.4f} -> "
          f"{r['gate_accuracy_b']:.4f}")
    return r


if __name__ == "__main__":
    main()
