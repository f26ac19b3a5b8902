"""Export a trained PGDiffSeg to the two ONNX graphs of a bundle and check them against PyTorch.

    python -m pgdiffseg.export --checkpoint runs/cpu/best.pt --out zoo/models/pgdiffseg-busi-128 \
        --id pgdiffseg-busi-128
"""
from __future__ import annotations

import argparse
import json
import warnings
from pathlib import Path

import numpy as np
import onnx
import onnxruntime as ort
import torch

from .config import ModelConfig, size
from .model import PGDiffSeg, example_inputs

OPSET = 17
PRIOR_INPUTS, PRIOR_OUTPUTS = ["image"], ["prior", "class_logits", "coarse_mask"]
DENOISER_INPUTS, DENOISER_OUTPUTS = ["x_t", "image", "t", "prior"], ["eps"]
TOLERANCE = 1e-4


def training_info(checkpoint: Path) -> dict | None:
    """Epochs, steps and settings recorded in a training checkpoint, for the manifest and model card."""
    state = torch.load(checkpoint, map_location="cpu", weights_only=False)
    args = state.get("args")
    if not args:
        return None
    log = checkpoint.parent / "log.jsonl"
    records = [json.loads(line) for line in log.read_text().splitlines()] if log.exists() else []
    seconds = sum(r["seconds"] for r in records if r["epoch"] <= state["epoch"])
    prediction_type = state["config"].get("prediction_type", "epsilon")
    if "budget_minutes" in args:
        return budget_training_info(state, args, seconds, prediction_type)
    command = ("python -m pgdiffseg.train --data DATA --size {size} --out RUN --epochs {epochs} --lr {lr} "
               "--batch-size {batch_size} --seed {seed}").format(**args)
    decays = args.get("lr_schedule", "constant") != "constant"
    if decays:
        command += f" --lr-schedule {args['lr_schedule']} --lr-min {args['lr_min']:g}"
    if args["ema"] != 0.995:
        command += f" --ema {args['ema']:g}"
    if args.get("max_minutes"):
        command += f" --max-minutes {args['max_minutes']:g}"
    if args.get("prediction_type"):
        command += f" --prediction-type {prediction_type}"
    if args.get("init"):
        command += " --init INIT"
    command += changed_flags(args, (("pretrained", "none"), ("encoder_lr_mult", 1.0), ("warmup_steps", 0),
                                    ("augment", "paper"), ("t_power", 1.0), ("x0_loss_weight", 0.0),
                                    ("class_weight", 0.5), ("mask_weight", 0.5)))
    info = run_info(state, args, seconds, prediction_type, command)
    if decays:
        info["lr_schedule"] = {"name": args["lr_schedule"], "min": args["lr_min"]}
    if args.get("augment", "paper") != "paper":
        info["augment"] = args["augment"]
    if args.get("pretrained", "none") != "none":
        info["pretrained"] = args["pretrained"]
    if args.get("init"):
        info["initialised_from"] = "the previous stage's EMA weights"
    return info


def changed_flags(args: dict, defaults) -> str:
    """The command-line flags of the (name, default) pairs whose recorded value differs from the default."""
    flags = ""
    for flag, default in defaults:
        if args.get(flag, default) != default:
            value = args[flag]
            flags += f" --{flag.replace('_', '-')} {value:g}" if isinstance(value, float) else \
                f" --{flag.replace('_', '-')} {value}"
    return flags


def run_info(state: dict, args: dict, seconds: float, prediction_type: str, command: str) -> dict:
    """What every training record holds: length, batch, rate, EMA, seed, device, hours and the command."""
    return {"epochs": state["epoch"], "steps": state["step"], "batch_size": args["batch_size"], "lr": args["lr"],
            "ema": args["ema"], "seed": args["seed"], "device": args["device"], "hours": round(seconds / 3600, 2),
            "prediction_type": prediction_type, "command": command}


def budget_training_info(state: dict, args: dict, seconds: float, prediction_type: str) -> dict:
    """training_info of a pgdiffseg.budget_train checkpoint (final.pt or averaged.pt)."""
    command = ("python -m pgdiffseg.budget_train --data DATA --size {size} --out RUN --budget-minutes {budget_minutes:g} "
               "--batch-size {batch_size} --lr {lr:g} --lr-scaling {lr_scaling} --seed {seed}").format(**args)
    command += changed_flags(args, (("encoder_lr_mult", 0.2), ("t_power", 2.0), ("x0_loss_weight", 0.5),
                                    ("class_weight", 1.0), ("average_from", 0.75), ("warmup_steps", 100),
                                    ("pretrained", "imagenet")))
    if args.get("init"):
        command += " --init INIT"
    info = {**run_info(state, args, seconds, prediction_type, command), "augment": "ultrasound",
            "lr_schedule": {"name": "cosine over the time budget", "min": args["lr_min"]},
            "budget_minutes": args["budget_minutes"], "weights_kind": state.get("weights_kind", "ema")}
    if args.get("pretrained", "imagenet") != "none":
        info["pretrained"] = args["pretrained"]
    if args.get("init"):
        info["initialised_from"] = {"checkpoint": Path(args["init"]).name, "sha256": args["init_sha256"]}
    return info


# Which weights of a training checkpoint are exported: the EMA weights (what training validates and keeps in
# best.pt) or the raw optimiser weights (last.pt only, for comparisons); the manifest records which.
WEIGHTS = {"ema": "ema", "raw": "model"}


def load_model(checkpoint: Path, weights: str = "ema") -> PGDiffSeg:
    """EMA (or raw) weights of a training checkpoint (last.pt or best.pt), in eval mode."""
    state = torch.load(checkpoint, map_location="cpu", weights_only=False)
    return model_from(state, weights, checkpoint)


def model_from(state: dict, weights: str, source: Path) -> PGDiffSeg:
    if WEIGHTS[weights] not in state:
        raise SystemExit(f"{source}: no {weights} weights (key '{WEIGHTS[weights]}'); best.pt keeps only the EMA "
                         f"weights, last.pt both")
    model = PGDiffSeg(ModelConfig.from_dict(state["config"]))
    model.load_state_dict(state[WEIGHTS[weights]])
    return model.eval()


def provenance(checkpoint: Path, state: dict, weights: str, model: PGDiffSeg) -> dict:
    """Which weights a bundle holds (manifest `model.weights`): the training checkpoint by sha256, its run folder,
    epoch and step, EMA or raw, and the sha256 of the exported tensors."""
    from .bundle import sha256, weights_sha256
    args = state.get("args") or {}
    return {"source": "checkpoint", "checkpoint": checkpoint.name, "checkpoint_sha256": sha256(checkpoint),
            "run": Path(str(args.get("out", checkpoint.parent))).name, "epoch": state.get("epoch"),
            "step": state.get("step"), "weights": weights, "weights_sha256": weights_sha256(model.state_dict())}


def export_graphs(model: PGDiffSeg, out: Path, opset: int = OPSET) -> tuple[Path, Path]:
    out.mkdir(parents=True, exist_ok=True)
    x = example_inputs(model.cfg, 2)
    batch_axis = {0: "N"}
    prior_path, denoiser_path = out / "prior.onnx", out / "denoiser.onnx"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        torch.onnx.export(model.prior, (x["image"],), str(prior_path), input_names=PRIOR_INPUTS,
                          output_names=PRIOR_OUTPUTS, opset_version=opset, dynamo=False,
                          dynamic_axes={n: batch_axis for n in PRIOR_INPUTS + PRIOR_OUTPUTS})
        torch.onnx.export(model.denoiser, tuple(x[n] for n in DENOISER_INPUTS), str(denoiser_path),
                          input_names=DENOISER_INPUTS, output_names=DENOISER_OUTPUTS, opset_version=opset,
                          dynamo=False, dynamic_axes={n: batch_axis for n in DENOISER_INPUTS + DENOISER_OUTPUTS})
    for path in (prior_path, denoiser_path):
        onnx.checker.check_model(onnx.load(str(path)), full_check=True)
    return prior_path, denoiser_path


@torch.no_grad()
def verify_graphs(model: PGDiffSeg, prior_path: Path, denoiser_path: Path, batches=(1, 4)) -> float:
    """Largest absolute difference between onnxruntime and PyTorch over both graphs and batch sizes;
    raises if it exceeds TOLERANCE."""
    prior_sess = ort.InferenceSession(str(prior_path), providers=["CPUExecutionProvider"])
    den_sess = ort.InferenceSession(str(denoiser_path), providers=["CPUExecutionProvider"])
    worst = 0.0
    for batch in batches:
        x = example_inputs(model.cfg, batch, seed=batch)
        expected = [t.numpy() for t in model.prior(x["image"])]
        actual = prior_sess.run(PRIOR_OUTPUTS, {"image": x["image"].numpy()})
        expected.append(model.denoiser(*(x[n] for n in DENOISER_INPUTS)).numpy())
        actual += den_sess.run(DENOISER_OUTPUTS, {n: x[n].numpy() for n in DENOISER_INPUTS})
        for name, e, a in zip(PRIOR_OUTPUTS + DENOISER_OUTPUTS, expected, actual):
            if e.shape != a.shape:
                raise AssertionError(f"{name}: shape {a.shape} from onnxruntime, {e.shape} from PyTorch")
            worst = max(worst, float(np.abs(e - a).max()))
    if worst > TOLERANCE:
        raise AssertionError(f"ONNX graphs differ from PyTorch by {worst:.3g} > {TOLERANCE}")
    return worst


def random_model(size_name: str, seed: int) -> PGDiffSeg:
    """Random weights with non-trivial BatchNorm statistics and PSA gamma, for test bundles."""
    torch.manual_seed(seed)
    model = PGDiffSeg(size(size_name))
    with torch.no_grad():
        for m in model.modules():
            if isinstance(m, torch.nn.BatchNorm2d):
                m.running_mean.uniform_(-0.1, 0.1)
                m.running_var.uniform_(0.5, 1.5)
        for name, p in model.named_parameters():
            if name.endswith("gamma"):
                p.fill_(0.5)
    return model.eval()


def sampling_defaults(p: argparse.ArgumentParser, args):
    """--sampling, --initial-sample, --flip-average and --gate-threshold as the bundle's defaults; a usage error
    (exit 2) otherwise."""
    from . import bundle
    from .sampling import SCHEDULERS
    parts = args.sampling.split(":")
    if len(parts) != 3 or parts[0] not in SCHEDULERS or not all(x.isdigit() and int(x) >= 1 for x in parts[1:]):
        p.error(f"--sampling expects SCHEDULER:STEPS:ENSEMBLE with SCHEDULER one of {', '.join(SCHEDULERS)} and "
                f"STEPS, ENSEMBLE at least 1, got {args.sampling!r}")
    if not 0 <= args.gate_threshold <= 1:
        p.error(f"--gate-threshold expects a probability in [0, 1], got {args.gate_threshold}")
    return bundle.SamplingDefaults(parts[0], int(parts[1]), int(parts[2]), args.initial_sample, args.gate_threshold,
                                   flip_average=args.flip_average)


def main(argv=None) -> None:
    from . import bundle
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    src = p.add_mutually_exclusive_group(required=True)
    src.add_argument("--checkpoint", type=Path, help="training checkpoint (EMA weights are exported)")
    src.add_argument("--random", metavar="SIZE", help="random weights of this size (test bundles)")
    p.add_argument("--weights", choices=sorted(WEIGHTS), default="ema",
                   help="which weights of --checkpoint to export (raw: last.pt's optimiser weights; recorded in "
                        "bundle.json, and the conformance reference stays the EMA weights)")
    p.add_argument("--seed", type=int, default=0, help="seed of --random weights")
    p.add_argument("--opset", type=int, default=OPSET, help=f"ONNX opset of both graphs (default {OPSET})")
    p.add_argument("--out", type=Path, required=True, help="bundle folder to write")
    p.add_argument("--id", required=True, help="bundle id")
    p.add_argument("--version", default="1.0.0")
    p.add_argument("--description", help="default: trained on BUSI, or random weights for tests with --random")
    p.add_argument("--changes", default="first release", help="changelog entry of a new --version")
    p.add_argument("--continues-training", action="store_true",
                   help="the checkpoint was trained from the weights this bundle holds now (train.py --init): keep "
                        "their training record as the earlier stages")
    p.add_argument("--sampling", default="dpm++:20:5", metavar="SCHEDULER:STEPS:ENSEMBLE",
                   help="sampling_defaults of the bundle (default dpm++:20:5); choose them on validation")
    p.add_argument("--initial-sample", choices=("noise", "zeros"), default="noise",
                   help="sampling_defaults.initial_sample: x_T drawn from the seed, or x_T = 0")
    p.add_argument("--flip-average", action="store_true",
                   help="sampling_defaults.flip_average: average each image with its horizontal mirror (default off)")
    p.add_argument("--gate-threshold", type=float, default=0.5,
                   help="P(no tumor) at or above which the SDK skips diffusion (0 to 1)")
    args = p.parse_args(argv)
    sampling = sampling_defaults(p, args)
    if args.description is None:   # a random-weight bundle must not claim training data
        args.description = ("PGDiffSeg breast-ultrasound lesion segmentation, trained on BUSI" if args.checkpoint
                            else f"Random-weight PGDiffSeg of size {args.random}, for tests; segments nothing meaningful")
    earlier = earlier_stages(args.out) if args.continues_training else []
    if args.checkpoint:
        state = torch.load(args.checkpoint, map_location="cpu", weights_only=False)
        model = model_from(state, args.weights, args.checkpoint)
        weights = provenance(args.checkpoint, state, args.weights, model)
        # The fixture generator's reference: the checkpoint's EMA weights and training config, whatever was exported.
        reference = {"ema": state["ema"], "config": state["config"],
                     "provenance": {k: v for k, v in weights.items() if k not in ("weights", "weights_sha256")}}
    else:
        model = random_model(args.random, args.seed)
        weights = {"source": "random", "size": args.random, "seed": args.seed,
                   "weights_sha256": bundle.weights_sha256(model.state_dict())}
        reference = None
    prior_path, denoiser_path = export_graphs(model, args.out, args.opset)
    error = verify_graphs(model, prior_path, denoiser_path)
    bundle.write_bundle(args.out, model, bundle_id=args.id, version=args.version, description=args.description,
                        export_error=error, random_seed=None if args.checkpoint else args.seed, changes=args.changes,
                        weights=weights, reference=reference, sampling=sampling)
    if args.checkpoint:
        info = training_info(args.checkpoint)
        if info and earlier:
            stages = [*earlier, info]
            info = {"stages": stages, "epochs": sum(s["epochs"] for s in stages),
                    "steps": sum(s["steps"] for s in stages), "hours": round(sum(s["hours"] for s in stages), 2)}
        record_training(args.out, info)
    print(f"wrote {args.out} (max |onnx - torch| = {error:.2e})")


def earlier_stages(folder: Path) -> list[dict]:
    """The training stages recorded in the bundle folder's current manifest."""
    from . import bundle
    path = folder / bundle.MANIFEST
    training = json.loads(path.read_text())["model"].get("training") if path.exists() else None
    if not training:
        raise SystemExit(f"--continues-training: {path} records no training to continue")
    return training.get("stages", [training])


def record_training(folder: Path, info: dict | None) -> None:
    """Adds the training record to bundle.json and the model card."""
    from . import bundle
    if not info:
        return
    manifest = json.loads((folder / bundle.MANIFEST).read_text())
    manifest["model"]["training"] = info
    (folder / bundle.MANIFEST).write_text(json.dumps(manifest, indent=2) + "\n")
    bundle.write_model_card(folder)
    bundle.refresh_checksums(folder)


if __name__ == "__main__":
    main()
