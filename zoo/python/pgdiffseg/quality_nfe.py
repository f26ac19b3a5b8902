"""Dice against the number of denoiser calls (NFE) on the BUSI validation split, per scheduler, mean and standard
deviation over seeds (one sample per image, K = 1), as the paper's efficient-sampling study. Writes
docs/quality-vs-nfe.md and .json.

    python -m pgdiffseg.quality_nfe --bundle ../models/pgdiffseg-busi-128 --data ../../../shared/data/busi \
        --schedulers ddim dpm++ unipc --nfe 5 10 20 --seeds 0 1 2 --out ../../docs
"""
from __future__ import annotations

import argparse
import datetime
import json
import statistics
from pathlib import Path

from .evaluate import evaluate


def main(argv=None) -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--render", type=Path, metavar="DIR", help="only redraw DIR/quality-vs-nfe.md and .png from its .json")
    p.add_argument("--bundle", type=Path)
    p.add_argument("--data", type=Path)
    p.add_argument("--schedulers", nargs="+", default=["ddim", "dpm++", "unipc"])
    p.add_argument("--nfe", nargs="+", type=int, default=[5, 10, 20])
    p.add_argument("--seeds", nargs="+", type=int, default=[0, 1, 2])
    p.add_argument("--out", type=Path, default=Path("../../docs"), help="folder for quality-vs-nfe.md and .json")
    p.add_argument("--merge", action="store_true",
                   help="add --seeds to the figures already in OUT/quality-vs-nfe.json (same bundle version, schedulers "
                        "and NFE); each seed's figures do not depend on the others, so the result is that of one run")
    args = p.parse_args(argv)
    if args.render:
        render(json.loads((args.render / "quality-vs-nfe.json").read_text()), args.render)
        return
    if not (args.bundle and args.data):
        p.error("--bundle and --data are required")
    manifest = json.loads((args.bundle / "bundle.json").read_text())
    earlier = {}
    if args.merge:
        previous = json.loads((args.out / "quality-vs-nfe.json").read_text())
        if previous["version"] != manifest["version"]:
            p.error(f"--merge: the figures are of version {previous['version']}, the bundle is {manifest['version']}")
        earlier = {(r["scheduler"], r["nfe"]): r for r in previous["rows"]}
        if set(earlier) != {(s, n) for s in args.schedulers for n in args.nfe}:
            p.error("--merge: --schedulers and --nfe must be those of the existing figures")
    rows = []
    for scheduler in args.schedulers:
        for nfe in args.nfe:
            before = earlier.get((scheduler, nfe), {"seeds": [], "dice": [], "dice_tumor": []})
            if set(before["seeds"]) & set(args.seeds):
                p.error(f"--merge: seeds {sorted(set(before['seeds']) & set(args.seeds))} are already there")
            dices, tumor = list(before["dice"]), list(before["dice_tumor"])
            for seed in args.seeds:
                r = evaluate(args.bundle, args.data, scheduler, nfe, 1, seed, 0.5)
                dices.append(r["dice"])
                tumor.append(r["dice_tumor"])
                print(f"{scheduler} NFE {nfe} seed {seed}: Dice {r['dice']:.4f} ({r['seconds']} s)", flush=True)
            rows.append({"scheduler": scheduler, "nfe": nfe, "seeds": [*before["seeds"], *args.seeds], "dice": dices,
                         "dice_tumor": tumor})
    seeds = rows[0]["seeds"]
    command = ("cd zoo/python && python -m pgdiffseg.quality_nfe --bundle ../models/" + args.bundle.name
               + " --data ../../../shared/data/busi --schedulers " + " ".join(args.schedulers) + " --nfe "
               + " ".join(map(str, args.nfe)) + " --seeds " + " ".join(map(str, seeds)) + " --out ../../docs")
    figures = {"date": datetime.date.today().isoformat(), "model": manifest["id"], "version": manifest["version"],
               "command": command, "ensemble": 1, "rows": rows}
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "quality-vs-nfe.json").write_text(json.dumps(figures, indent=2) + "\n")
    render(figures, args.out)


def render(figures: dict, out: Path) -> None:
    """docs/quality-vs-nfe.md and .png from the figures (also: python -m pgdiffseg.quality_nfe --render DIR)."""
    rows, command = figures["rows"], figures["command"]
    seeds = rows[0]["seeds"]

    def cell(values):
        sd = statistics.stdev(values) if len(values) > 1 else 0.0
        return f"{statistics.mean(values):.3f} ± {sd:.3f}"
    lines = ["# Quality against NFE", "",
             f"Validation Dice of `{figures['model']}` {figures['version']} on the 78 BUSI validation images against the "
             "number of denoiser calls, one sample per image (K = 1; the bundle's default is K = 5), mean ± standard "
             f"deviation over seeds {', '.join(map(str, seeds))}, through the Python reference pipeline on the "
             f"bundle's graphs (the SDK gives the same masks: docs/conformance.md). Produced on {figures['date']} by "
             f"`{command}`.", "",
             "| scheduler | NFE | Dice | Dice, tumor images |", "|---|---:|---:|---:|"]
    lines += [f"| {r['scheduler']} | {r['nfe']} | {cell(r['dice'])} | {cell(r['dice_tumor'])} |" for r in rows]
    plot(rows, out / "quality-vs-nfe.png")
    lines += ["", "![Dice against NFE](quality-vs-nfe.png)", "",
              "DDPM at 1000 steps is not swept over seeds here (about 30 CPU-minutes per seed on the two cores "
              "used; `--schedulers ddpm --nfe 1000` runs it); its seed-0 figure is among the validation figures "
              "recorded in the bundle (model card), and docs/benchmarks.md compares it with DPM-Solver++ at 20.", ""]
    (out / "quality-vs-nfe.md").write_text("\n".join(lines))


def plot(rows: list[dict], path: Path, width: int = 640, height: int = 400) -> None:
    """Mean Dice against NFE per scheduler, with +-1 sd bars, drawn with OpenCV (no plotting library needed)."""
    import cv2
    import numpy as np
    img = np.full((height, width, 3), 255, np.uint8)
    left, right, top, bottom = 60, width - 140, 30, height - 50
    nfes = sorted({r["nfe"] for r in rows})
    lo = min(statistics.mean(r["dice"]) - statistics.pstdev(r["dice"]) for r in rows)
    hi = max(statistics.mean(r["dice"]) + statistics.pstdev(r["dice"]) for r in rows)
    lo, hi = np.floor(lo * 20) / 20, np.ceil(hi * 20) / 20
    x = {n: left + (right - left) * i / max(1, len(nfes) - 1) for i, n in enumerate(nfes)}

    def y(v):
        return int(bottom - (bottom - top) * (v - lo) / max(hi - lo, 1e-6))
    black, font = (0, 0, 0), cv2.FONT_HERSHEY_SIMPLEX
    cv2.line(img, (left, bottom), (right, bottom), black, 1)
    cv2.line(img, (left, top), (left, bottom), black, 1)
    for n in nfes:
        cv2.putText(img, str(n), (int(x[n]) - 8, bottom + 20), font, 0.45, black, 1, cv2.LINE_AA)
    for v in np.arange(lo, hi + 1e-9, 0.05):
        cv2.putText(img, f"{v:.2f}", (8, y(v) + 4), font, 0.45, black, 1, cv2.LINE_AA)
        cv2.line(img, (left - 4, y(v)), (left, y(v)), black, 1)
    cv2.putText(img, "NFE (denoiser calls)", (left + 150, height - 10), font, 0.5, black, 1, cv2.LINE_AA)
    cv2.putText(img, "val Dice (K = 1)", (8, 18), font, 0.5, black, 1, cv2.LINE_AA)
    colours = [(200, 80, 0), (0, 140, 0), (0, 0, 220), (120, 0, 160)]
    for i, name in enumerate(dict.fromkeys(r["scheduler"] for r in rows)):
        colour = colours[i % len(colours)]
        points = []
        for r in (r for r in rows if r["scheduler"] == name):
            m, sd = statistics.mean(r["dice"]), statistics.pstdev(r["dice"])
            px = int(x[r["nfe"]]) + (i - 1) * 4
            cv2.line(img, (px, y(m - sd)), (px, y(m + sd)), colour, 1)
            points.append((px, y(m)))
        for a, b in zip(points, points[1:]):
            cv2.line(img, a, b, colour, 2, cv2.LINE_AA)
        for pt in points:
            cv2.circle(img, pt, 4, colour, -1, cv2.LINE_AA)
        cv2.putText(img, name, (right + 20, top + 20 + 22 * i), font, 0.55, colour, 2, cv2.LINE_AA)
    cv2.imwrite(str(path), img)


if __name__ == "__main__":
    main()
