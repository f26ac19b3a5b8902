"""Plots how well the confidence ranks masks, from a `pgdiffseg eval` output folder (eval.csv and eval.json):

    samples/confidence-plot pgdiffseg-eval --out docs/confidence.svg

Left: each tumor image's Dice against its confidence, the review threshold as a line. Right: the risk-coverage
curve, the mean Dice of the most confident fraction of the tumor images, for every fraction.
"""
from __future__ import annotations

import argparse
import csv
import json
from pathlib import Path

import numpy as np


def read_eval(folder: Path) -> tuple[list[dict], dict]:
    rows = list(csv.DictReader((folder / "eval.csv").open(newline="")))
    summary = json.loads((folder / "eval.json").read_text())
    if "confidence" not in summary:
        raise SystemExit(f"{folder / 'eval.json'} has no confidence summary: the bundle has no confidence section")
    tumor = [r for r in rows if r["tumor"] == "true" and r["confidence"] != ""]
    return tumor, summary


def coverage_curve(confidence: np.ndarray, dice: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """For n = 1..N: n / N and the mean Dice of the n most confident images (ties in input order)."""
    order = np.argsort(-confidence, kind="mergesort")
    d = dice[order]
    n = np.arange(1, len(d) + 1)
    return n / len(d), np.cumsum(d) / n


def plot(folder: Path, out: Path) -> None:
    import matplotlib
    matplotlib.use("Agg")
    matplotlib.rcParams["svg.hashsalt"] = "pgdiffseg"   # the same figures give the same file
    matplotlib.rcParams["svg.fonttype"] = "none"
    from matplotlib import pyplot as plt
    tumor, summary = read_eval(folder)
    c = summary["confidence"]
    confidence = np.array([float(r["confidence"]) for r in tumor])
    dice = np.array([float(r["dice"]) for r in tumor])
    fig, (left, right) = plt.subplots(1, 2, figsize=(9, 3.8))
    bad = dice < 0.5
    left.scatter(confidence[~bad], dice[~bad], s=14, label="Dice >= 0.5")
    left.scatter(confidence[bad], dice[bad], s=14, marker="x", label="Dice < 0.5")
    left.axvline(c["review_threshold"], color="grey", linestyle="--", linewidth=1, label="review threshold")
    left.set_xlabel("confidence")
    left.set_ylabel("Dice")
    left.set_title(f"Spearman {c['spearman_dice']:.3f}, AUROC (Dice < 0.5) {c['auroc_dice_below_0_5']:.3f}",
                   fontsize=9)
    left.legend(fontsize=7, loc="lower right")
    left.grid(True, alpha=0.3)
    fraction, mean = coverage_curve(confidence, dice)
    right.plot(fraction, mean, label="most confident first")
    right.axhline(dice.mean(), color="grey", linestyle=":", linewidth=1, label="all images")
    right.set_xlabel("fraction of tumor images kept")
    right.set_ylabel("mean Dice of the kept images")
    right.set_title(f"risk-coverage, {len(dice)} tumor images", fontsize=9)
    right.legend(fontsize=7)
    right.grid(True, alpha=0.3)
    fig.tight_layout()
    out.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(out, format=out.suffix.lstrip(".") or "svg", metadata={"Date": None} if out.suffix == ".svg" else None)
    plt.close(fig)


def main(argv=None) -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("eval", type=Path, help="output folder of pgdiffseg eval")
    p.add_argument("--out", type=Path, help="the plot (.svg or .png; default: EVAL/confidence.svg)")
    args = p.parse_args(argv)
    out = args.out or args.eval / "confidence.svg"
    if out.exists() and args.out is None:
        raise SystemExit(f"{out} exists; name another file with --out")
    plot(args.eval, out)
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
