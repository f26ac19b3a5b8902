"""Train several variants and seeds side by side within one time budget, and tabulate their validation results.

    python -m pgdiffseg.sweep --data ../../../shared/data/busi --out runs/sweep --budget-minutes 6 \
        --variant lite0 --variant lite1 --variant lite2 --seeds 0,1

Every run is a `pgdiffseg.budget_train` process with the same budget, started together on the same device (a GPU
is shared by time-slicing; on a CPU the cores are divided between the runs), so the rows are compared at equal
wall time. Writes <out>/<variant>-s<seed>/ (each run's folder) and <out>/table.md, <out>/table.json: per run the
validation Dice (all images, tumor images) and gate accuracy of the final EMA weights and of their average over
the last part of the budget, steps and training throughput; then the mean over seeds per variant. Needs only the
pinned requirements, the data folder and this code (no network).
"""
from __future__ import annotations

import argparse
import json
import os
import shlex
import subprocess
import sys
import time
from pathlib import Path

# Named variants: budget_train flags on top of its defaults (the 2.0.0 recipe at batch 32).
VARIANTS: dict[str, list[str]] = {
    "lite0": ["--size", "cpu2"],
    "lite1": ["--size", "cpu2-lite1"],
    "lite2": ["--size", "cpu2-lite2"],
    "lite2-enc05": ["--size", "cpu2-lite2", "--encoder-lr-mult", "0.5"],
    "lite0-b8": ["--size", "cpu2", "--batch-size", "8"],
}


def parse_variant(text: str) -> tuple[str, list[str]]:
    """NAME (a named variant) or NAME=FLAGS (budget_train flags, shell-quoted)."""
    name, _, flags = text.partition("=")
    if not name or not name.replace("-", "").replace("_", "").isalnum():
        raise argparse.ArgumentTypeError(f"variant name {name!r}: letters, digits, '-' and '_' only")
    if flags:
        return name, shlex.split(flags)
    if name not in VARIANTS:
        raise argparse.ArgumentTypeError(f"unknown variant {name!r}: one of {sorted(VARIANTS)} or NAME=FLAGS")
    return name, VARIANTS[name]


def summary_rows(results: list[dict]) -> list[dict]:
    """Mean over seeds of each variant's figures (final and averaged weights)."""
    rows = []
    for name in dict.fromkeys(r["variant"] for r in results):
        runs = [r for r in results if r["variant"] == name and "final" in r]
        if not runs:
            continue
        row = {"variant": name, "seeds": [r["seed"] for r in runs]}
        for kind in ("final", "averaged"):
            for key in ("val_dice", "val_dice_tumor", "val_gate_accuracy"):
                values = [r[kind][key] for r in runs if kind in r]
                if values:
                    row[f"{kind}_{key}"] = sum(values) / len(values)
        rows.append(row)
    return rows


def markdown(results: list[dict], budget: float) -> str:
    def cell(r, kind, key):
        return f"{r[kind][key]:.4f}" if kind in r else ""
    lines = [f"Budget {budget:g} minutes per run, all runs side by side. Validation: 78 images, DDIM trailing 2 steps "
             "from x_T = 0, gate at 0.5.", "",
             "| variant | seed | steps | ms/step | images/s | Dice all (final) | tumor (final) | gate (final) "
             "| Dice all (averaged) | tumor (averaged) | gate (averaged) |",
             "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for r in results:
        if "final" not in r:
            lines.append(f"| {r['variant']} | {r['seed']} | failed: {r.get('error', '')} |||||||||")
            continue
        lines.append(f"| {r['variant']} | {r['seed']} | {r['steps']} | {r['ms_per_step']} | {r['images_per_second']} "
                     f"| {cell(r, 'final', 'val_dice')} | {cell(r, 'final', 'val_dice_tumor')} "
                     f"| {cell(r, 'final', 'val_gate_accuracy')} | {cell(r, 'averaged', 'val_dice')} "
                     f"| {cell(r, 'averaged', 'val_dice_tumor')} | {cell(r, 'averaged', 'val_gate_accuracy')} |")
    lines += ["", "Mean over seeds:", "", "| variant | seeds | Dice all (final) | tumor (final) | Dice all (averaged) "
              "| tumor (averaged) |", "|---|---|---:|---:|---:|---:|"]
    for row in summary_rows(results):
        cells = [f"{row[k]:.4f}" if k in row else "" for k in
                 ("final_val_dice", "final_val_dice_tumor", "averaged_val_dice", "averaged_val_dice_tumor")]
        lines.append(f"| {row['variant']} | {','.join(map(str, row['seeds']))} | " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


def main(argv=None) -> list[dict]:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--data", type=Path, required=True)
    p.add_argument("--out", type=Path, required=True)
    p.add_argument("--budget-minutes", type=float, required=True)
    p.add_argument("--variant", type=parse_variant, action="append", required=True,
                   help=f"NAME ({', '.join(VARIANTS)}) or NAME='FLAGS'; repeat")
    p.add_argument("--seeds", default="0,1", help="comma-separated seeds, each variant trained once per seed")
    p.add_argument("--device", default=None, help="passed to every run (default: budget_train's)")
    p.add_argument("--pretrained-dir", type=Path,
                   help="folder of ImageNet weight files named <encoder>.pth (e.g. efficientnet-lite2.pth), used "
                        "instead of the packages' files")
    args, extra = p.parse_known_args(argv)
    seeds = [int(s) for s in args.seeds.split(",")]
    runs = [(name, flags, seed) for name, flags in args.variant for seed in seeds]
    if args.out.exists() and any(args.out.iterdir()):
        raise SystemExit(f"{args.out} is not empty: give a new folder")
    args.out.mkdir(parents=True, exist_ok=True)
    threads = max(1, (os.cpu_count() or 1) // len(runs))
    # the runs import this package from wherever the sweep was started
    package_root = str(Path(__file__).resolve().parents[1])
    pythonpath = os.pathsep.join(p for p in (package_root, os.environ.get("PYTHONPATH")) if p)
    procs = []
    for name, flags, seed in runs:
        folder = args.out / f"{name}-s{seed}"
        command = [sys.executable, "-m", "pgdiffseg.budget_train", "--data", str(args.data), "--out", str(folder),
                   "--budget-minutes", str(args.budget_minutes), "--seed", str(seed), "--threads", str(threads),
                   *flags, *extra]
        if args.device:
            command += ["--device", args.device]
        if args.pretrained_dir:
            from .config import size
            encoder = size(flags[flags.index("--size") + 1] if "--size" in flags else "cpu2").encoder
            command += ["--pretrained-path", str(args.pretrained_dir / f"{encoder}.pth")]
        folder.mkdir()
        (folder / "command.txt").write_text(shlex.join(command) + "\n")
        log = open(folder / "stdout.txt", "w")
        procs.append((name, seed, folder, subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT,
                                                           env={**os.environ, "PYTHONUNBUFFERED": "1",
                                                                "PYTHONPATH": pythonpath}), log))
    started = time.time()
    results = []
    for name, seed, folder, proc, log in procs:
        code = proc.wait()
        log.close()
        result_file = folder / "result.json"
        if code == 0 and result_file.exists():
            results.append({"variant": name, **json.loads(result_file.read_text())})
        else:
            tail = (folder / "stdout.txt").read_text().strip().splitlines()[-1:] or [""]
            results.append({"variant": name, "seed": seed, "error": f"exit {code}: {tail[0][:200]}"})
    (args.out / "table.json").write_text(json.dumps({"budget_minutes": args.budget_minutes, "runs": results,
                                                     "summary": summary_rows(results),
                                                     "wall_minutes": round((time.time() - started) / 60, 2)},
                                                    indent=2) + "\n")
    (args.out / "table.md").write_text(markdown(results, args.budget_minutes))
    print((args.out / "table.md").read_text(), flush=True)
    return results


if __name__ == "__main__":
    main()
