"""Train PGDiffSeg on BUSI. Seeded, resumable (run-dir/last.pt), logs one JSON line per epoch.

    python -m pgdiffseg.train --data ../shared/data/busi --size cpu --out runs/cpu --epochs 200
"""
from __future__ import annotations

import argparse
import copy
import json
import math
import random
import time
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F
from torch.utils.data import DataLoader

from . import diffusion
from .config import ModelConfig, size
from .data import BusiDataset
from .metrics import dice, to_original_size
from .model import PGDiffSeg
from .sampling import make_scheduler


def seed_everything(seed: int) -> None:
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)


@torch.no_grad()
def validate(model: PGDiffSeg, val: BusiDataset, steps: int, device: torch.device, batch: int = 26,
             scheduler: str = "dpm++", seed: int = 0) -> dict:
    """Mean Dice on the validation split with one sample per image (fast check during training)."""
    model.eval()
    cfg = model.cfg
    sched = make_scheduler(scheduler, cfg)
    generator = torch.Generator().manual_seed(seed)
    dices, tumor_dices, gate_correct = [], [], 0
    for start in range(0, len(val.samples), batch):
        images = torch.from_numpy(val.images[start:start + batch])[:, None].to(device)
        prior, logits, _ = model.prior(images)
        x = torch.randn(images.shape, generator=generator).to(device)
        sched.set_timesteps(steps)
        for t in sched.timesteps:
            eps = model.denoiser(x, images, torch.full((len(images),), float(t), device=device), prior)
            x = sched.step(eps.cpu(), t, x.cpu()).prev_sample.to(device)
        probs = ((x[:, 0].cpu().numpy() + 1) / 2).clip(0, 1)
        gate = torch.softmax(logits, 1)[:, 0].cpu().numpy() >= 0.5
        for i, p in enumerate(probs):
            sample = val.samples[start + i]
            truth = cv2_read_mask(sample.mask_path)
            pred = np.zeros_like(truth) if gate[i] else to_original_size(p, *truth.shape)
            d = dice(pred, truth)
            dices.append(d)
            if sample.has_tumor:
                tumor_dices.append(d)
            gate_correct += int(gate[i] == (not sample.has_tumor))
    model.train()
    return {"val_dice": float(np.mean(dices)), "val_dice_tumor": float(np.mean(tumor_dices)),
            "val_gate_accuracy": gate_correct / len(val.samples), "val_steps": steps}


def cv2_read_mask(path: Path) -> np.ndarray:
    import cv2
    return cv2.imread(str(path), cv2.IMREAD_GRAYSCALE) > 127


def learning_rate(step: int, total_steps: int, base: float, floor: float, schedule: str) -> float:
    """The step's learning rate: constant, or a half cosine from base down to floor over total_steps."""
    if schedule == "constant":
        return base
    progress = min(step / max(total_steps, 1), 1.0)
    return floor + 0.5 * (base - floor) * (1 + math.cos(math.pi * progress))


def save_checkpoint(path: Path, model, ema, opt, epoch: int, step: int, cfg: ModelConfig, args) -> None:
    tmp = path.with_suffix(".tmp")
    torch.save({"model": model.state_dict(), "ema": ema.state_dict(), "opt": opt.state_dict(),
                "epoch": epoch, "step": step, "config": cfg.to_dict(), "args": vars(args),
                "torch_rng": torch.get_rng_state()}, tmp)
    tmp.replace(path)


def main(argv=None) -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--data", type=Path, required=True, help="BUSI folder with split.csv")
    p.add_argument("--size", default="cpu", help="model size: cpu, paper or tiny")
    p.add_argument("--out", type=Path, required=True, help="run folder (checkpoints, log)")
    p.add_argument("--epochs", type=int, default=200)
    p.add_argument("--batch-size", type=int, default=8)
    p.add_argument("--lr", type=float, default=3e-4)
    p.add_argument("--lr-schedule", default="constant", choices=["constant", "cosine"],
                   help="cosine: decay from --lr to --lr-min over --epochs (settles the weights late in a run)")
    p.add_argument("--lr-min", type=float, default=1e-5)
    p.add_argument("--ema", type=float, default=0.995, help="EMA decay of the weights used for sampling")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--device", default="cuda" if torch.cuda.is_available() else "cpu")
    p.add_argument("--threads", type=int, default=0, help="CPU threads (0: torch default)")
    p.add_argument("--val-every", type=int, default=2, help="validate every N epochs (0: never)")
    p.add_argument("--val-steps", type=int, default=10)
    p.add_argument("--prediction-type", default="v_prediction", choices=["epsilon", "v_prediction", "sample"],
                   help="what the denoiser learns to output (a resumed run keeps its own)")
    p.add_argument("--init", type=Path, help="start from the EMA weights of this checkpoint (a fresh optimiser)")
    p.add_argument("--max-minutes", type=float, default=0, help="stop (after a checkpoint) past this time")
    args = p.parse_args(argv)

    if args.threads:
        torch.set_num_threads(args.threads)
    seed_everything(args.seed)
    device = torch.device(args.device)
    args.out.mkdir(parents=True, exist_ok=True)
    last = args.out / "last.pt"
    state = torch.load(last, map_location="cpu", weights_only=False) if last.exists() else None
    cfg = ModelConfig.from_dict(state["config"]) if state else size(args.size, prediction_type=args.prediction_type)

    train = BusiDataset(args.data, "train", cfg.image_size, augment=True)
    val = BusiDataset(args.data, "val", cfg.image_size)
    model = PGDiffSeg(cfg).to(device)
    ema = copy.deepcopy(model).eval()
    opt = torch.optim.AdamW(model.parameters(), lr=args.lr, weight_decay=1e-4)
    epoch, step = 0, 0
    if state:
        model.load_state_dict(state["model"])
        ema.load_state_dict(state["ema"])
        opt.load_state_dict(state["opt"])
        epoch, step = state["epoch"], state["step"]
        torch.set_rng_state(state["torch_rng"])
        print(f"resumed from {last} at epoch {epoch}", flush=True)
    elif args.init:
        weights = torch.load(args.init, map_location="cpu", weights_only=False)["ema"]
        model.load_state_dict(weights)
        ema.load_state_dict(weights)
        print(f"initialised from {args.init}", flush=True)
    schedule = diffusion.NoiseSchedule(cfg)
    loader = DataLoader(train, batch_size=args.batch_size, shuffle=True, drop_last=True,
                        generator=torch.Generator().manual_seed(args.seed + epoch))
    started = time.time()
    log = open(args.out / "log.jsonl", "a")
    total_steps = args.epochs * len(loader)
    while epoch < args.epochs:
        t0, sums, n = time.time(), np.zeros(4), 0
        for image, mask, label in loader:
            image, mask, label = image.to(device), mask.to(device), label.to(device)
            t = torch.randint(0, schedule.T, (image.shape[0],), device=device)
            noise = torch.randn_like(mask)
            x_t = schedule.q_sample(mask, t, noise)
            out, logits, coarse = model(x_t, image, t.float())
            mse = F.mse_loss(out, schedule.target(cfg.prediction_type, mask, t, noise))
            ce, seg = diffusion.prior_losses(logits, coarse, mask, label)
            loss = mse + diffusion.CLASS_WEIGHT * ce + diffusion.MASK_WEIGHT * seg   # Equation 10
            for group in opt.param_groups:
                group["lr"] = learning_rate(step, total_steps, args.lr, args.lr_min, args.lr_schedule)
            opt.zero_grad(set_to_none=True)
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            opt.step()
            step += 1
            decay = min(args.ema, (1 + step) / (10 + step))
            with torch.no_grad():
                for pe, pm in zip(ema.parameters(), model.parameters()):
                    pe.lerp_(pm, 1 - decay)
                for be, bm in zip(ema.buffers(), model.buffers()):
                    be.copy_(bm)
            sums += [loss.item(), mse.item(), ce.item(), seg.item()]
            n += 1
        epoch += 1
        record = {"epoch": epoch, "step": step, "loss": sums[0] / n, "mse": sums[1] / n, "ce": sums[2] / n,
                  "seg": sums[3] / n, "lr": opt.param_groups[0]["lr"], "seconds": round(time.time() - t0, 1)}
        if args.val_every and epoch % args.val_every == 0:
            record.update(validate(ema, val, args.val_steps, device))
        save_checkpoint(last, model, ema, opt, epoch, step, cfg, args)
        if "val_dice" in record:
            best = args.out / "best.json"
            if not best.exists() or json.loads(best.read_text())["val_dice"] < record["val_dice"]:
                torch.save({"ema": ema.state_dict(), "config": cfg.to_dict(), "epoch": epoch, "step": step,
                            "args": vars(args)}, args.out / "best.pt")
                best.write_text(json.dumps(record))
        print(json.dumps(record), flush=True)
        log.write(json.dumps(record) + "\n")
        log.flush()
        if args.max_minutes and (time.time() - started) / 60 > args.max_minutes:
            break
    log.close()


if __name__ == "__main__":
    main()
