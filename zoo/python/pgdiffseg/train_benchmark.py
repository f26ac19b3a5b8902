"""Training-step throughput: the loop of pgdiffseg.train (per-image numpy/OpenCV augmentation on the CPU, fp32) against
the loop of pgdiffseg.budget_train (augmentation on the device in batches, bf16 autocast, channels-last, fused
AdamW where there is CUDA), at equal images per step and at larger batches, on the machine's device.

    python -m pgdiffseg.train_benchmark --data ../../../shared/data/busi --batches 8,32,64 --steps 30

Each row: warm-up steps, then `--steps` timed steps (the device synchronised before the clock is read), in one
process, one after another. Prints a markdown table and writes --json if given.
"""
from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import torch

from .batch_augment import augment_ultrasound_batch
from .budget_train import Trainer, parse_args as trainer_args
from .config import size
from .data import BusiDataset
from .model import PGDiffSeg


def time_steps(trainer: Trainer, batch_fn, steps: int, warmup: int, device: torch.device) -> float:
    """Milliseconds per training step (batch building included)."""
    generator = torch.Generator().manual_seed(0)
    for i in range(warmup + steps):
        if i == warmup:
            if device.type == "cuda":
                torch.cuda.synchronize()
            started = time.perf_counter()
        image, mask, label = batch_fn(i, generator)
        trainer.step(image, mask, label, generator, 1e-4)
    if device.type == "cuda":
        torch.cuda.synchronize()
    return 1000 * (time.perf_counter() - started) / steps


def main(argv=None) -> list[dict]:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--data", type=Path, required=True)
    p.add_argument("--size", default="cpu2")
    p.add_argument("--batches", default="8,32")
    p.add_argument("--steps", type=int, default=20)
    p.add_argument("--warmup", type=int, default=5)
    p.add_argument("--device", default="cuda" if torch.cuda.is_available() else "cpu")
    p.add_argument("--threads", type=int, default=0)
    p.add_argument("--loops", default="per-image,batched",
                   help="comma-separated: per-image (pgdiffseg.train's way), batched (budget_train's), compiled "
                        "(batched with torch.compile), graphs (batched with torch.compile's CUDA graphs)")
    p.add_argument("--json", type=Path)
    args = p.parse_args(argv)
    if args.threads:
        torch.set_num_threads(args.threads)
    device = torch.device(args.device)
    cuda = device.type == "cuda"
    cfg = size(args.size)
    per_image = BusiDataset(args.data, "train", cfg.image_size, augment="ultrasound")
    images = torch.from_numpy(per_image.images)[:, None].to(device)
    masks = torch.from_numpy(per_image.masks)[:, None].to(device)
    labels = torch.from_numpy(per_image.labels).to(device)
    rows = []
    for batch in [int(b) for b in args.batches.split(",")]:
        def cpu_batches(i, _g, batch=batch):
            items = [per_image[(i * batch + k) % len(per_image)] for k in range(batch)]
            return tuple(torch.stack([it[j] for it in items]).to(device) for j in range(3))

        def device_batches(i, g, batch=batch):
            index = (torch.arange(batch, device=device) + i * batch) % len(images)
            image, mask = augment_ultrasound_batch(images[index], masks[index], g)
            return image, mask, labels[index]

        batched = "batched augmentation on the device" + (", bf16, channels-last, fused AdamW" if cuda else "")
        loops = {"per-image": ("per-image CPU augmentation, fp32", cpu_batches,
                               ["--amp", "none", "--no-channels-last", "--no-fused-adam"]),
                 "batched": (batched, device_batches, []),
                 "compiled": (batched + ", torch.compile", device_batches, ["--compile", "default"]),
                 "graphs": (batched + ", torch.compile with CUDA graphs", device_batches,
                            ["--compile", "reduce-overhead"])}
        for key in args.loops.split(","):
            name, batch_fn, flags = loops[key]
            targs = trainer_args(["--data", str(args.data), "--out", "unused", "--budget-minutes", "1",
                                  "--device", args.device, "--batch-size", str(batch), *flags])
            trainer = Trainer(PGDiffSeg(cfg), cfg, device, 1e-4, targs)
            ms = time_steps(trainer, batch_fn, args.steps, args.warmup, device)
            row = {"loop": name, "batch": batch, "ms_per_step": round(ms, 2),
                   "images_per_second": round(1000 * batch / ms, 1),
                   "device": torch.cuda.get_device_name(device) if cuda else "cpu", "size": cfg.name}
            rows.append(row)
            print(json.dumps(row), flush=True)
    print("\n| loop | batch | ms/step | images/s |\n|---|---:|---:|---:|")
    for r in rows:
        print(f"| {r['loop']} | {r['batch']} | {r['ms_per_step']} | {r['images_per_second']} |")
    if args.json:
        args.json.write_text(json.dumps(rows, indent=2) + "\n")
    return rows


if __name__ == "__main__":
    main()
