"""Reference fixtures of one bundle for the conformance suite (format: docs/conformance.md).

    python conformance/python/gen_bundle_fixtures.py --bundle zoo/models/pgdiffseg-busi-128 \
        --image ../shared/data/busi/val/images/benign_306.png   # from the repository root

Writes <bundle>/fixtures/index.json and .npy arrays, then adds their checksums to bundle.json (and signs nothing
else: it refuses a bundle whose other files no longer match their checksums). The reference never comes from the
bundle.json under test:
- reference: the preprocessing of the training code (pgdiffseg.data), the model config, noise schedule and
  prediction type the weights were trained with (torch/checkpoint.pt's training config, or the size of random test
  weights), and the provenance of the reference weights; the conformance suite compares bundle.json with them;
- graph_io: fixed inputs of both graphs at batch 1 and 4 and the PyTorch outputs for them (the EMA weights of the
  bundle's torch/checkpoint.pt, or the random seed of a test bundle; onnxruntime only when neither exists);
- preprocessing: an image file and the training code's preprocessing of it;
- end_to_end: for each scheduler, the preprocessed image, the seed, every x_t of the PyTorch reference
  pipeline (initial noise first), the final x0 samples, the probability map and the mask at model size; a run
  ending in `:flip` averages the image with its horizontal mirror (sampling.segment(flip_average=True)).

The committed bundles' fixtures, from the repository root with the venv of samples/python-env:

    python conformance/python/gen_bundle_fixtures.py --bundle zoo/models/pgdiffseg-busi-128 \
        --image ../shared/data/busi/val/images/benign_306.png --run ddim-trailing:2:zeros --run ddim:20 \
        --run dpm++:20 --run unipc:20 --run ddim-trailing:2:zeros:flip --run dpm++:20:noise:flip --keep-every 5
    python conformance/python/gen_bundle_fixtures.py --bundle zoo/models/pgdiffseg-tiny-test --run ddim:20 \
        --run dpm++:20 --run unipc:20 --run ddpm:1000 --run ddim-trailing:2:zeros --run ddim-trailing:2:zeros:flip \
        --run ddpm:20:noise:flip --keep-every 10 --long-stride 250

A quantized bundle (pgdiffseg.quantize) has no PyTorch weights of its own: its references are its own graphs run
by onnxruntime (`--reference onnxruntime`), and `--compare-to FP32_BUNDLE` adds to each end-to-end case the
distance of those masks to the fp32 bundle's PyTorch pipeline from the same image and seed (what quantization
cost; reported, not a tolerance):

    python conformance/python/gen_bundle_fixtures.py --bundle zoo/models/pgdiffseg-busi-128-int8 \
        --reference onnxruntime --compare-to zoo/models/pgdiffseg-busi-128 --run ddim-trailing:2:zeros \
        --run dpm++:20 --run ddim-trailing:2:zeros:flip --keep-every 5 --image ../shared/data/busi/val/images/benign_306.png
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np
import torch

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "zoo" / "python"))

from pgdiffseg import bundle as bundle_io  # noqa: E402
from pgdiffseg import confidence as confidence_ref  # noqa: E402
from pgdiffseg.config import ModelConfig  # noqa: E402
from pgdiffseg.data import input_spec, load_image, preprocess  # noqa: E402
from pgdiffseg.export import (DENOISER_INPUTS, DENOISER_OUTPUTS, PRIOR_INPUTS, PRIOR_OUTPUTS,  # noqa: E402
                              example_inputs, random_model)
from pgdiffseg.model import PGDiffSeg  # noqa: E402
from pgdiffseg.sampling import (init_noise_for, make_scheduler, onnx_model_fns, segment,  # noqa: E402
                                torch_model_fns)

DEFAULT_RUNS = ("ddim:20", "dpm++:20", "unipc:20", "ddpm:1000")
FIXTURES = "fixtures/"
LONG_RUN_STRIDE = 50    # runs of more than 50 steps keep every 50th x_t


class Writer:
    def __init__(self, folder: Path):
        self.folder = folder
        folder.mkdir(parents=True, exist_ok=True)
        for old in folder.glob("*.npy"):
            old.unlink()

    def array(self, name: str, value) -> str:
        arr = np.ascontiguousarray(np.asarray(value))
        arr = arr.astype(np.float32) if arr.dtype.kind == "f" else arr.astype(np.int64)
        np.save(self.folder / f"{name}.npy", arr)
        return f"{name}.npy"


def reference_model(folder: Path, manifest: dict) -> tuple[PGDiffSeg | None, str, dict]:
    """The reference weights, how they are described, and their provenance. A checkpoint's config is the one the
    weights were trained with; bundle.json's `model.config` is only used when there are no PyTorch weights."""
    checkpoint = folder / bundle_io.CHECKPOINT
    if checkpoint.exists():
        state = torch.load(checkpoint, map_location="cpu", weights_only=False)
        model = PGDiffSeg(ModelConfig.from_dict(state["config"]))
        model.load_state_dict(state["ema"])
        recorded = state.get("provenance") or {"checkpoint": bundle_io.CHECKPOINT + " (records no training checkpoint)"}
        return (model.eval(), "pytorch checkpoint " + bundle_io.CHECKPOINT + " (EMA weights)",
                {**recorded, "weights": "ema", "weights_sha256": bundle_io.weights_sha256(state["ema"])})
    if "random_seed" in manifest["model"]:
        seed, size = manifest["model"]["random_seed"], manifest["model"]["size"]
        model = random_model(size, seed)
        return (model, f"pytorch random weights, seed {seed}",
                {"source": "random", "size": size, "seed": seed,
                 "weights_sha256": bundle_io.weights_sha256(model.state_dict())})
    return None, "onnxruntime (no PyTorch weights in the bundle)", {"source": "onnxruntime"}


def quantized_provenance(fp32: Path) -> dict:
    """Provenance of a quantized bundle's graphs: quantized from the fp32 bundle's, whose weights are described
    from that bundle's own PyTorch checkpoint (not from the bundle.json under test)."""
    _, _, weights = reference_model(fp32, json.loads((fp32 / bundle_io.MANIFEST).read_text()))
    return {"source": "quantized", "from": weights}


def reference_spec(cfg: ModelConfig, source: str) -> dict:
    """What bundle.json must say, from the sources of truth: the training code's preprocessing and the config the
    weights were trained with."""
    return {"input": input_spec(cfg.image_size), "diffusion": bundle_io.diffusion_spec(cfg),
            "model_config": cfg.to_dict(),
            "sources": {"input": "the training code (pgdiffseg.data)",
                        "diffusion": source, "model_config": source}}


def disagreements(manifest: dict, reference: dict) -> list[str]:
    """Fields where bundle.json differs from the reference, naming both values."""
    out = []
    for section, key in (("input", "input"), ("diffusion", "diffusion"), ("model_config", "model.config")):
        have = manifest.get(section, {})
        if section == "model_config":   # a key a config predates means its default
            have = ModelConfig.from_dict(manifest["model"]["config"]).to_dict()
        for field, want in reference[section].items():
            if have.get(field) != want:
                out.append(f"{key}.{field}: bundle.json says {have.get(field)}, {reference['sources'][section]} "
                           f"says {want}")
    return out


@torch.no_grad()
def graph_io(w: Writer, model, folder: Path, cfg: ModelConfig) -> list[dict]:
    cases = []
    for batch in (1, 4):
        x = example_inputs(cfg, batch, seed=100 + batch)
        if model is not None:
            prior_out = [t.numpy() for t in model.prior(x["image"])]
            den_out = [model.denoiser(*(x[n] for n in DENOISER_INPUTS)).numpy()]
        else:
            import onnxruntime as ort
            prior_out = ort.InferenceSession(str(folder / "prior.onnx")).run(PRIOR_OUTPUTS, {"image": x["image"].numpy()})
            den_out = ort.InferenceSession(str(folder / "denoiser.onnx")).run(
                DENOISER_OUTPUTS, {n: x[n].numpy() for n in DENOISER_INPUTS})
        for graph, names_in, names_out, outs in (("prior", PRIOR_INPUTS, PRIOR_OUTPUTS, prior_out),
                                                 ("denoiser", DENOISER_INPUTS, DENOISER_OUTPUTS, den_out)):
            cases.append({"graph": graph, "batch": batch,
                          "inputs": {n: w.array(f"io_{graph}_b{batch}_in_{n}", x[n].numpy()) for n in names_in},
                          "outputs": {n: w.array(f"io_{graph}_b{batch}_out_{n}", o) for n, o in zip(names_out, outs)}})
    return cases


def preprocessing(w: Writer, cfg: ModelConfig, source: Path | None) -> dict:
    """A real (or synthetic) image file and the training code's preprocessing of it (its own window, the model's
    size), which the SDK's preprocessing configured by bundle.json must reproduce."""
    import cv2
    if source is not None:
        raw = cv2.imread(str(source), cv2.IMREAD_UNCHANGED)
    else:
        yy, xx = np.mgrid[:48, :64]
        raw = ((xx * 3 + yy * 2) % 256).astype(np.uint8)
    cv2.imwrite(str(w.folder / "preprocess_input.png"), raw)
    expected = preprocess(load_image(w.folder / "preprocess_input.png"), cfg.image_size)
    return {"image": "preprocess_input.png", "expected": w.array("preprocess_expected", expected)}


def is_quantized(folder: Path) -> bool:
    import onnx
    return any(n.op_type == "QuantizeLinear" for n in onnx.load(str(folder / "denoiser.onnx")).graph.node)


def distance_to(other: Path, image: np.ndarray, scheduler: str, steps: int, ensemble: int, seed: int,
                init_noise: str, probability: np.ndarray, threshold: float, flip_average: bool = False) -> dict:
    """Mask Dice and probability max abs of this case against the PyTorch pipeline of another bundle (the fp32
    bundle a quantized one was built from), same image, scheduler, steps, ensemble and seed."""
    manifest = json.loads((other / "bundle.json").read_text())
    model, weights, _ = reference_model(other, manifest)
    if model is None:
        raise SystemExit(f"--compare-to {other}: no PyTorch weights there (torch/checkpoint.pt or a random seed)")
    cfg = ModelConfig.from_dict(manifest["model"]["config"])
    out = segment(*torch_model_fns(model), torch.from_numpy(image)[None, None], make_scheduler(scheduler, cfg),
                  steps, ensemble, seed, gate_class=None, init_noise=init_noise, flip_average=flip_average)
    a, b = probability >= threshold, out.probability >= threshold
    dice = 1.0 if not a.any() and not b.any() else float(2 * (a & b).sum() / (a.sum() + b.sum()))
    return {"bundle": manifest["id"], "bundle_version": manifest["version"], "pipeline": "pytorch",
            "reference_weights": weights, "mask_dice": dice,
            "probability_max_abs": float(np.abs(probability - out.probability).max())}


def parse_run(run: str) -> tuple[str, int, str, bool]:
    """SCHEDULER:STEPS[:noise|zeros][:flip] -> (scheduler, steps, initial sample "noise" or "zeros", flip average)."""
    parts = run.split(":")
    flip = len(parts) == 4 and parts[3] == "flip"
    if (len(parts) not in (2, 3, 4) or (len(parts) >= 3 and parts[2] not in ("noise", "zeros"))
            or (len(parts) == 4 and not flip)):
        raise SystemExit(f"--run expects SCHEDULER:STEPS[:noise|zeros][:flip], got {run!r}")
    return parts[0], int(parts[1]), parts[2] if len(parts) >= 3 else "noise", flip


def end_to_end(w: Writer, fns, image: np.ndarray, cfg: ModelConfig, manifest: dict, runs: list[str],
               ensemble: int, seed: int, keep_every: int, long_stride: int = LONG_RUN_STRIDE,
               compare_to: Path | None = None, quantized: bool = False) -> list[dict]:
    gate = manifest["gating"]
    cases = []
    image_t = torch.from_numpy(image)[None, None]
    image_file = w.array("e2e_image", image)
    for run in runs:
        scheduler, steps, initial_sample, flip = parse_run(run)
        init_noise = init_noise_for(initial_sample)
        out = segment(*fns, image_t, make_scheduler(scheduler, cfg), steps, ensemble, seed,
                      gate_class=None, keep_trajectory=True, init_noise=init_noise, flip_average=flip)
        stride = long_stride if steps > LONG_RUN_STRIDE else keep_every
        kept = list(range(0, steps, stride)) + [steps]       # index steps = final x0
        tag = (f"e2e_{scheduler.replace('+', 'p')}_{steps}" + ("_zeros" if initial_sample == "zeros" else "")
               + ("_flip" if flip else ""))
        cases.append({"scheduler": scheduler, "steps": steps, "ensemble": ensemble, "seed": seed,
                      "initial_sample": initial_sample, **({"flip_average": True} if flip else {}),
                      "image": image_file, "gating": False,
                      "trajectory": [{"index": i, "file": w.array(f"{tag}_x{i:04d}", out.trajectory[i])} for i in kept],
                      "probability": w.array(f"{tag}_probability", out.probability),
                      "mask": w.array(f"{tag}_mask", (out.probability >= manifest["sampling_defaults"]["mask_threshold"]).astype(np.int64))})
        # Maps for the first case and for the first flip-averaged one, whose map has the mirror's disagreement too.
        first_flip = flip and not any(c.get("flip_average") for c in cases[:-1])
        cases[-1].update(judgement(w, fns, image_t, out, ensemble, manifest, tag,
                                   with_map=not cases[:-1] or first_flip, flip=flip))
        if quantized:
            # Quantized graphs are discontinuous: a last-bit difference in x_t (another implementation's scheduler
            # arithmetic) can move a value across a quantization step, and 20 steps carry it into the mask. The
            # case's tolerance is twice what a 1e-6 relative change of x_t does to this very pipeline.
            def nudged(x_t, image_b, t, prior, den=fns[1]):
                return den(x_t * (1 + 1e-6), image_b, t, prior)
            other = segment(fns[0], nudged, image_t, make_scheduler(scheduler, cfg), steps, ensemble, seed,
                            gate_class=None, init_noise=init_noise, flip_average=flip).probability
            threshold = manifest["sampling_defaults"]["mask_threshold"]
            a, b = out.probability >= threshold, other >= threshold
            dice = 1.0 if not a.any() and not b.any() else float(2 * (a & b).sum() / (a.sum() + b.sum()))
            diff = float(np.abs(out.probability - other).max())
            cases[-1]["tolerance"] = {
                "probability_abs": max(1e-3, round(2 * diff, 4)), "mask_dice": min(0.99, round(1 - 2 * (1 - dice), 4)),
                "why": f"int8 graphs: x_t changed by 1e-6 (relative) moves this reference by {diff:.4f} in probability "
                       f"and to mask Dice {dice:.4f}; the tolerance is twice that"}
        if compare_to is not None:
            cases[-1]["distance_to"] = distance_to(compare_to, image, scheduler, steps, ensemble, seed, init_noise,
                                                   out.probability, manifest["sampling_defaults"]["mask_threshold"],
                                                   flip)
            d = cases[-1]["distance_to"]
            print(f"{scheduler} {steps}: mask Dice {d['mask_dice']:.4f} against {d['bundle']} (PyTorch), "
                  f"probability max abs {d['probability_max_abs']:.4f}")
    return cases


def judgement(w: Writer, fns, image_t: torch.Tensor, out, ensemble: int, manifest: dict, tag: str,
              with_map: bool, flip: bool = False) -> dict:
    """The case's confidence signals (and, with the bundle's confidence section, its confidence) and, where asked,
    its uncertainty map, from the reference pipeline by pgdiffseg.confidence's definitions. The map's ensemble
    spread is over the image's own K samples: a flip-averaged run's mirrored rows follow them, as in the SDK; their
    probability, mirrored back, is the mirrored map of flip_agreement and of the map. mirror_prior_agreement takes the
    prior's coarse mask of the mirrored image on its own (a batch of one row)."""
    gate = manifest["gating"]
    p_skip = float(out.class_probs[gate["classes"].index(gate["skip_class"])])
    with torch.no_grad():
        coarse = fns[0](image_t)[2].numpy()[0, 0]
    threshold = manifest["sampling_defaults"]["mask_threshold"]
    mirrored = confidence_ref.mirrored_probability(out.samples, ensemble) if flip else None
    sig = confidence_ref.signals(out.probability, coarse, out.first_x0, p_skip, threshold, mirrored,
                                 confidence_ref.mirrored_coarse(fns[0], image_t))
    judged = {"confidence": {"signals": sig}}
    section = manifest.get("confidence")
    if section is not None:
        value = confidence_ref.confidence(section, sig, False, p_skip)
        judged["confidence"].update(value=value, review=value < section["review_threshold"])
    if with_map:
        judged["uncertainty"] = w.array(f"{tag}_uncertainty", confidence_ref.uncertainty_map(
            out.probability, coarse, out.samples[:ensemble], mirrored))
    return judged


def main(argv=None) -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--bundle", type=Path, required=True)
    p.add_argument("--image", type=Path, help="image for the end-to-end cases (default: a synthetic lesion)")
    p.add_argument("--run", action="append",
                   help=f"SCHEDULER:STEPS[:noise|zeros][:flip], repeatable; zeros starts from x_T = 0, flip averages "
                        f"with the horizontal mirror (default {' '.join(DEFAULT_RUNS)})")
    p.add_argument("--ensemble", type=int, default=2)
    p.add_argument("--seed", type=int, default=42)
    p.add_argument("--keep-every", type=int, default=1, help="keep every Nth x_t of runs up to 50 steps")
    p.add_argument("--long-stride", type=int, default=LONG_RUN_STRIDE, help="keep every Nth x_t of longer runs")
    p.add_argument("--threads", type=int, default=1, help="torch CPU threads")
    p.add_argument("--source", choices=("pytorch", "onnx"), default="pytorch",
                   help="pipeline the end-to-end references come from")
    p.add_argument("--reference", choices=("auto", "onnxruntime"), default="auto",
                   help="auto: PyTorch weights of the bundle when it has them; onnxruntime: the bundle's own graphs "
                        "(a quantized bundle)")
    p.add_argument("--compare-to", type=Path,
                   help="a bundle with PyTorch weights (the fp32 one a quantized bundle came from): record each "
                        "end-to-end case's mask Dice against its PyTorch pipeline")
    args = p.parse_args(argv)
    torch.set_num_threads(args.threads)
    folder = args.bundle
    manifest = json.loads((folder / bundle_io.MANIFEST).read_text())
    changed = bundle_io.checksum_problems(folder, skip_prefix=FIXTURES)
    if changed:
        raise SystemExit(f"{folder}: files changed since the bundle was signed, not signing them now:\n  "
                         + "\n  ".join(changed) + "\nre-export the bundle, or sign the change on purpose with "
                         "`python -m pgdiffseg.bundle DIR`, then generate the fixtures")
    model, weights, weights_provenance = reference_model(folder, manifest)
    if args.reference == "onnxruntime":   # a quantized bundle: its own graphs are the reference
        model, weights = None, "onnxruntime on the bundle's own graphs"
        if args.compare_to is not None:
            weights_provenance = quantized_provenance(args.compare_to)
    cfg = model.cfg if model is not None else ModelConfig.from_dict(manifest["model"]["config"])
    reference = reference_spec(cfg, "torch/checkpoint.pt's training config" if (folder / bundle_io.CHECKPOINT).exists()
                               else f"model size {cfg.name}" if model is not None else "bundle.json's model.config")
    for problem in disagreements(manifest, reference):
        print(f"warning: {problem}", file=sys.stderr)
    w = Writer(folder / FIXTURES)
    for old in w.folder.glob("*.png"):
        old.unlink()
    if args.image:
        image = preprocess(load_image(args.image), cfg.image_size)
        image_source = args.image.name
    else:
        yy, xx = np.mgrid[:cfg.image_size, :cfg.image_size] / cfg.image_size
        image = np.where((yy - 0.5) ** 2 + (xx - 0.45) ** 2 < 0.04, -0.6, 0.3).astype(np.float32)
        image_source = "synthetic disc"
    use_torch = model is not None and args.source == "pytorch"
    fns = torch_model_fns(model) if use_torch else onnx_model_fns(folder / "prior.onnx", folder / "denoiser.onnx")
    index = {"format": "pgdiffseg-fixtures/1", "bundle": manifest["id"], "bundle_version": manifest["version"],
             "generated_with": {"torch": torch.__version__.split("+")[0], "reference_weights": weights,
                                "end_to_end_pipeline": "pytorch" if use_torch else "onnxruntime"},
             "noise": "torch.randn on a CPU torch.Generator seeded with 'seed': initial x_T of shape "
                      "[ensemble,1,H,W] first, then each stochastic step's noise of the same shape",
             "image_source": image_source,
             "reference": reference, "provenance": weights_provenance,
             "tolerances": {"graph_io_abs": 1e-4, "end_to_end_probability_abs": 1e-3, "end_to_end_mask_dice": 0.99},
             "graph_io": graph_io(w, model, folder, cfg),
             "preprocessing": preprocessing(w, cfg, args.image),
             "end_to_end": end_to_end(w, fns, image, cfg, manifest, list(args.run or DEFAULT_RUNS),
                                      args.ensemble, args.seed, args.keep_every, args.long_stride,
                                      args.compare_to, is_quantized(folder) and not use_torch)}
    (w.folder / "index.json").write_text(json.dumps(index, indent=2) + "\n")
    written = sorted(FIXTURES + p.name for p in w.folder.iterdir() if p.is_file())
    bundle_io.sign(folder, written, drop_prefix=FIXTURES)
    size = sum(f.stat().st_size for f in w.folder.iterdir())
    print(f"wrote {len(list(w.folder.iterdir()))} files ({size / 1e6:.1f} MB) to {w.folder}")


if __name__ == "__main__":
    main()
