"""Validation figures of a bundle on BUSI val, through its exported graphs (what ships is what is measured).

    cd zoo/python && python -m pgdiffseg.evaluate --bundle ../models/pgdiffseg-busi-128 --data ../../../shared/data/busi \
        --run dpm++:20 --run ddim:20 --run ddpm:1000:1 --record

Each image is segmented as the SDK does it: preprocess, prior, gate, K samples as one batch from seed S,
mean probability resized to the mask's size, threshold. `--record` writes the figures (and each image's Dice)
and the command into bundle.json and MODEL_CARD.md; until it runs, an exported bundle records no metrics and the
conformance suite's claimed-Dice check is skipped.
"""
from __future__ import annotations

import argparse
import json
import shlex
import sys
import time
from pathlib import Path

import numpy as np
import torch

from . import bundle as bundle_io
from .config import ModelConfig
from .data import load_image, load_mask, preprocess, read_split
from .metrics import dice, hd95, iou, to_original_size
from .sampling import FLIP_GATE, FLIP_GATES, averaged_model_fns, make_scheduler, onnx_model_fns, segment


def parse_run(text: str, default_ensemble: int) -> tuple[str, int, int]:
    parts = text.split(":")
    if len(parts) not in (2, 3):
        raise argparse.ArgumentTypeError(f"--run expects SCHEDULER:STEPS[:ENSEMBLE], got {text!r}")
    return parts[0], int(parts[1]), int(parts[2]) if len(parts) == 3 else default_ensemble


GATE_THRESHOLDS = [0.5, 0.7, 0.9, 0.95, 0.99]


def skipped_or_own_dice(row: dict, skipped: bool) -> float:
    """An image's Dice had the gate skipped it (a skipped normal image scores 1, a skipped tumor image 0), else its own."""
    if skipped:
        return 1.0 if row["class"] == "normal" else 0.0
    return row["dice"]


def gate_was_right(row: dict, skipped: bool) -> bool:
    """Whether the gate decided this image right: skipped exactly when it has no tumor."""
    return skipped == (row["class"] == "normal")


def gate_sweep(rows: list[dict], thresholds: list[float]) -> dict[str, float]:
    """From per-image rows of a run without gating: mean Dice had the gate skipped every image whose P(skip
    class) reached each threshold (a skipped normal image scores 1, a skipped tumor image 0)."""
    sweep = {}
    for threshold in thresholds:
        scores = [skipped_or_own_dice(r, r["p_skip"] >= threshold) for r in rows]
        sweep[f"{threshold:g}"] = float(np.mean(scores))
    return sweep


def flip_gate_modes(rows: list[dict], threshold: float) -> dict[str, dict[str, float]]:
    """From per-image rows of a flip-averaged run without gating: Dice (all, tumor) and gate accuracy had each
    way of gating a flipped pair skipped at this threshold (see sampling.segment's flip_gate)."""
    skips = {"original": lambda r: r["p_skip"] >= threshold,
             "mean": lambda r: (r["p_skip"] + r["p_skip_mirrored"]) / 2 >= threshold,
             "both": lambda r: r["p_skip"] >= threshold and r["p_skip_mirrored"] >= threshold}
    modes = {}
    for mode, skipped in skips.items():
        scores = [skipped_or_own_dice(r, skipped(r)) for r in rows]
        tumor = [d for d, r in zip(scores, rows) if r["class"] != "normal"]
        modes[mode] = {"dice": float(np.mean(scores)), "dice_tumor": float(np.mean(tumor)),
                       "gate_accuracy": float(np.mean([gate_was_right(r, skipped(r)) for r in rows]))}
    return modes


def evaluate(folder: Path, data: Path, scheduler: str, steps: int, ensemble: int, seed: int,
             threshold: float, limit: int = 0, gate_threshold: float | None = None, init_noise: str = "randn",
             threads: int = 0, flip_average: bool = False, flip_gate: str = FLIP_GATE,
             average_with: Path | None = None) -> dict:
    manifest = json.loads((folder / "bundle.json").read_text())
    cfg = ModelConfig.from_dict(manifest["model"]["config"])
    gate = manifest["gating"]
    gate_class = gate["classes"].index(gate["skip_class"])
    prior_fn, denoiser_fn = onnx_model_fns(folder / "prior.onnx", folder / "denoiser.onnx", threads)
    if average_with is not None:
        if not (average_with / "bundle.json").is_file():
            raise SystemExit(f"--average-with: {average_with} is not a bundle folder (no bundle.json)")
        check_averageable(manifest, json.loads((average_with / "bundle.json").read_text()), folder, average_with)
        prior_fn, denoiser_fn = averaged_model_fns(
            (prior_fn, denoiser_fn),
            onnx_model_fns(average_with / "prior.onnx", average_with / "denoiser.onnx", threads))
    samples = read_split(data, "val")[: limit or None]
    # Never skipping, a flipped run keeps what comparing the flip gates needs (an extra prior call per image).
    compare_gates = flip_average and gate_threshold is not None and gate_threshold > 1
    rows = []
    started = time.time()
    for s in samples:
        image = torch.from_numpy(preprocess(load_image(s.image_path), cfg.image_size))[None, None]
        out = segment(prior_fn, denoiser_fn, image, make_scheduler(scheduler, cfg), steps, ensemble, seed,
                      gate_class=gate_class,
                      gate_threshold=gate["threshold"] if gate_threshold is None else gate_threshold,
                      init_noise=init_noise, flip_average=flip_average, flip_gate=flip_gate)
        truth = load_mask(s.mask_path) > 127
        pred = np.zeros_like(truth) if out.gated else to_original_size(out.probability, *truth.shape, threshold)
        rows.append({"id": s.id, "class": s.busi_class, "dice": dice(pred, truth), "iou": iou(pred, truth),
                     "hd95": hd95(pred, truth),
                     "gated": out.gated, "p_skip": float(out.class_probs[gate_class]),
                     **({"p_skip_mirrored": mirrored_p_skip(prior_fn, image, gate_class)} if compare_gates else {})})
    tumor = [r for r in rows if r["class"] != "normal"]
    gate_ok = sum(gate_was_right(r, r["gated"]) for r in rows)
    return {"scheduler": scheduler, "steps": steps, "ensemble": ensemble, "seed": seed, "images": len(rows),
            **({"init_noise": init_noise} if init_noise != "randn" else {}),
            **({"flip_average": True, "flip_gate": flip_gate} if flip_average else {}),
            **({"averaged_with": str(average_with)} if average_with is not None else {}),
            "dice": float(np.mean([r["dice"] for r in rows])), "iou": float(np.mean([r["iou"] for r in rows])),
            "dice_tumor": float(np.mean([r["dice"] for r in tumor])),
            "iou_tumor": float(np.mean([r["iou"] for r in tumor])),
            "hd95": float(np.nanmean([r["hd95"] for r in rows])),
            "gate_accuracy": gate_ok / len(rows), "seconds": round(time.time() - started, 1), "per_image": rows}


# What two bundles must share for their graphs to be averaged step by step (sampling.averaged_model_fns).
AVERAGEABLE = ("input", "diffusion", "gating")


def check_averageable(first: dict, second: dict, first_folder: Path, second_folder: Path) -> None:
    for section in AVERAGEABLE:
        if first.get(section) != second.get(section):
            raise SystemExit(f"--average-with: {first_folder} and {second_folder} differ in bundle.json's "
                             f"'{section}'; only models of the same input, diffusion and gate can be averaged")


def mirrored_p_skip(prior_fn, image: torch.Tensor, gate_class: int) -> float:
    """P(skip class) of the image's horizontal mirror: what the "mean" and "both" flip gates look at."""
    _, logits, _ = prior_fn(torch.flip(image, dims=[-1]).contiguous())
    return float(torch.softmax(logits[0], dim=0)[gate_class])


def main(argv=None) -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--bundle", type=Path, required=True)
    p.add_argument("--data", type=Path, required=True, help="BUSI folder with split.csv")
    p.add_argument("--run", action="append", required=True, help="SCHEDULER:STEPS[:ENSEMBLE], repeatable")
    p.add_argument("--ensemble", type=int, default=5)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--threshold", type=float, default=0.5)
    p.add_argument("--gate-threshold", type=float,
                   help="skip diffusion when P(skip class) >= this (default: the bundle's); above 1 the gate never "
                        "skips, and the Dice each threshold would give is printed")
    p.add_argument("--init-noise", default="randn", choices=["randn", "zeros"],
                   help="zeros: start every run from x_T = 0 (deterministic with ddim / ddim-trailing; use ensemble 1)")
    p.add_argument("--flip-average", action="store_true",
                   help="average each image's probability with its horizontal mirror's (sampling.segment)")
    p.add_argument("--flip-gate", default=FLIP_GATE, choices=FLIP_GATES,
                   help=f"with --flip-average, how the gate decides (default {FLIP_GATE}, the SDK's); with "
                        "--gate-threshold above 1 the figures of every mode at the bundle's threshold are printed")
    p.add_argument("--threads", type=int, default=0, help="onnxruntime intra-op threads (0: its default)")
    p.add_argument("--average-with", type=Path, metavar="BUNDLE",
                   help="measure the two bundles as one model: class and coarse probabilities averaged, the "
                        "denoisers' outputs averaged at every step (sampling.averaged_model_fns); --record refused")
    p.add_argument("--limit", type=int, default=0, help="first N validation images only (0: all 78)")
    p.add_argument("--record", action="store_true", help="write the figures into bundle.json and MODEL_CARD.md")
    p.add_argument("--json", type=Path, help="also write every figure, per image, to this file")
    args = p.parse_args(argv)
    if args.average_with is not None and args.record:
        p.error("--record writes the bundle's own figures; with --average-with they are two models'")
    results = []
    for run in args.run:
        scheduler, steps, ensemble = parse_run(run, args.ensemble)
        never_skips = args.gate_threshold is not None and args.gate_threshold > 1
        # The modes are compared from the original image's P(skip), which only the "original" gate reports.
        flip_gate = "original" if never_skips else args.flip_gate
        r = evaluate(args.bundle, args.data, scheduler, steps, ensemble, args.seed, args.threshold, args.limit,
                     args.gate_threshold, args.init_noise, args.threads, args.flip_average, flip_gate,
                     args.average_with)
        print(f"{scheduler:10s} steps={steps:4d} K={ensemble}{' flip' if args.flip_average else ''} dice={r['dice']:.4f} iou={r['iou']:.4f} "
              f"dice_tumor={r['dice_tumor']:.4f} hd95={r['hd95']:.2f} gate_acc={r['gate_accuracy']:.4f} ({r['seconds']} s)", flush=True)
        if args.gate_threshold is not None and args.gate_threshold > 1:
            r["gate_sweep"] = gate_sweep(r["per_image"], GATE_THRESHOLDS)
            print("  Dice had the gate skipped at P(skip) >= " +
                  ", ".join(f"{t}: {d:.4f}" for t, d in r["gate_sweep"].items()) + f"; never: {r['dice']:.4f}")
            if args.flip_average:
                manifest = json.loads((args.bundle / "bundle.json").read_text())
                r["flip_gates"] = flip_gate_modes(r["per_image"], manifest["gating"]["threshold"])
                for mode, f in r["flip_gates"].items():
                    print(f"  flip gate {mode:8s} at P(skip) >= {manifest['gating']['threshold']}: dice={f['dice']:.4f} "
                          f"dice_tumor={f['dice_tumor']:.4f} gate_acc={f['gate_accuracy']:.4f}")
        results.append(r)
    if args.json:
        args.json.write_text(json.dumps(results, indent=2))
    if args.record:
        manifest_path = args.bundle / "bundle.json"
        manifest = json.loads(manifest_path.read_text())
        recorded = [a for a in (argv or sys.argv[1:])]
        if "--json" in recorded:   # a side file, not part of how the figures were made
            i = recorded.index("--json")
            del recorded[i:i + 2]
        command = "cd zoo/python && python -m pgdiffseg.evaluate " + " ".join(shlex.quote(a) for a in recorded)
        manifest["metrics"] = {
            "split": "BUSI val (78 images: 44 benign, 21 malignant, 13 normal)" if not args.limit else f"first {args.limit} BUSI val images",
            "command": command, "threshold": args.threshold,
            "gate_accuracy": results[0]["gate_accuracy"],
            # Each image's Dice, so the conformance suite compares the SDK image by image, not one mean.
            "results": [{**{k: v for k, v in r.items() if k != "per_image"},
                         "per_image_dice": {row["id"]: round(row["dice"], 6) for row in r["per_image"]}}
                        for r in results]}
        manifest_path.write_text(json.dumps(manifest, indent=2) + "\n")
        bundle_io.write_model_card(args.bundle)
        bundle_io.sign(args.bundle, ["MODEL_CARD.md"])   # what it wrote; other files keep their checksums


if __name__ == "__main__":
    main()
