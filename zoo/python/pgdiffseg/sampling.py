"""The reference sampling pipeline: prior once, gate, scheduler loop over the denoiser, ensemble mean.

The Java SDK reproduces this loop; given the same seed, the noise comes from the same torch.randn stream
(initial noise first, then each stochastic step's noise, all from one CPU generator).
"""
from __future__ import annotations

import inspect
from dataclasses import dataclass, field
from typing import Callable

import numpy as np
import torch
from diffusers import DDIMScheduler, DDPMScheduler, DPMSolverMultistepScheduler, UniPCMultistepScheduler

from .config import ModelConfig

FLIP_GATES = ("original", "mean", "both")
FLIP_GATE = "original"   # what the SDK does; the others are kept for measuring (docs/model.md, Flip averaging)

SCHEDULERS = ("ddpm", "ddim", "ddim-trailing", "dpm++", "dpm++-sde", "unipc")


def make_scheduler(name: str, cfg: ModelConfig):
    """diffusers scheduler for a CLI name, on the model's training schedule."""
    common = dict(num_train_timesteps=cfg.num_train_timesteps, beta_start=cfg.beta_start,
                  beta_end=cfg.beta_end, beta_schedule="linear", prediction_type=cfg.prediction_type)
    if name == "ddpm":
        return DDPMScheduler(**common, clip_sample=True)
    if name == "ddim":
        return DDIMScheduler(**common, clip_sample=True, set_alpha_to_one=True)
    if name == "ddim-trailing":   # steps end-aligned: 1 step is t = T-1 (the deterministic x_T = 0 sampler of cpu2)
        return DDIMScheduler(**common, clip_sample=True, set_alpha_to_one=True, timestep_spacing="trailing")
    if name == "dpm++":
        return DPMSolverMultistepScheduler(**common, algorithm_type="dpmsolver++", solver_order=2)
    if name == "dpm++-sde":
        return DPMSolverMultistepScheduler(**common, algorithm_type="sde-dpmsolver++", solver_order=2)
    if name == "unipc":
        return UniPCMultistepScheduler(**common, solver_order=2)
    raise ValueError(f"unknown scheduler {name!r}, expected one of {SCHEDULERS}")


def init_noise_for(initial_sample: str | None) -> str:
    """segment()'s init_noise for a manifest's sampling_defaults.initial_sample (absent means noise)."""
    if initial_sample in (None, "noise"):
        return "randn"
    if initial_sample == "zeros":
        return "zeros"
    raise ValueError(f"unknown initial_sample {initial_sample!r}, expected noise or zeros")


@dataclass
class SegmentationOutput:
    class_probs: np.ndarray            # [K]
    gated: bool                        # diffusion skipped because the gate said "no tumor"
    probability: np.ndarray            # [H, W] in [0, 1] at model resolution
    samples: np.ndarray                # [K, H, W] final x0 in [-1, 1] ([2K, H, W] flip-averaged: mirrored last)
    trajectory: list[np.ndarray] = field(default_factory=list)   # x_t before each step, then x_0
    first_x0: np.ndarray | None = None  # [H, W] ensemble-mean probability of the first step's predicted x0


@torch.no_grad()
def segment(prior_fn: Callable, denoiser_fn: Callable, image: torch.Tensor, scheduler, steps: int,
            ensemble: int, seed: int, gate_class: int | None = 0, gate_threshold: float = 0.5,
            keep_trajectory: bool = False, init_noise: str = "randn", flip_average: bool = False,
            flip_gate: str = FLIP_GATE) -> SegmentationOutput:
    """image: [1, 1, H, W] preprocessed. prior_fn(image) -> (prior, logits, coarse);
    denoiser_fn(x_t, image, t, prior) -> eps. Runs the ensemble as one batch of K. init_noise "zeros" starts
    from x_T = 0 (deterministic with DDIM; then K = 1 is enough).

    flip_average: the image and its horizontal mirror run as one batch of 2K rows (K original, then K mirrored);
    the mirrored copy starts from the original's x_T mirrored (so x_T = 0 stays 0), stochastic steps draw noise
    for all 2K rows, and the mirrored samples' probability is mirrored back and averaged with the original's.
    flip_gate says how the gate decides then: "original" (P(skip) of the original image only, as without
    flipping), "mean" (of both images' class probabilities) or "both" (skip only when both reach the threshold)."""
    if flip_gate not in FLIP_GATES:
        raise ValueError(f"unknown flip_gate {flip_gate!r}, expected one of {FLIP_GATES}")
    generator = torch.Generator().manual_seed(seed)
    copies = image.expand(ensemble, -1, -1, -1)
    batch = torch.cat([copies, torch.flip(copies, dims=[-1])]) if flip_average else copies.contiguous()
    rows = batch.shape[0]
    prior, logits, _ = prior_fn(batch)
    class_probs = torch.softmax(logits[0], dim=0).numpy()
    h, w = image.shape[-2:]
    skip = gate_class is not None and class_probs[gate_class] >= gate_threshold
    if flip_average:
        mirrored_probs = torch.softmax(logits[ensemble], dim=0).numpy()
        if flip_gate == "mean":
            class_probs = (class_probs + mirrored_probs) / 2
            skip = gate_class is not None and class_probs[gate_class] >= gate_threshold
        elif flip_gate == "both":
            skip = skip and mirrored_probs[gate_class] >= gate_threshold
    if skip:
        empty = np.zeros((h, w), np.float32)
        return SegmentationOutput(class_probs, True, empty, -np.ones((rows, h, w), np.float32))
    x = torch.randn((ensemble, 1, h, w), generator=generator, dtype=torch.float32)
    if init_noise == "zeros":
        x = torch.zeros_like(x)
    elif init_noise != "randn":
        raise ValueError(f"unknown init_noise {init_noise!r}")
    if flip_average:
        x = torch.cat([x, torch.flip(x, dims=[-1])])
    scheduler.set_timesteps(steps)
    # Stochastic steps draw their noise from the same generator, after the initial noise.
    extra = {"generator": generator} if "generator" in inspect.signature(scheduler.step).parameters else {}
    trajectory = []
    first_x0 = None
    for t in scheduler.timesteps:
        if keep_trajectory:
            trajectory.append(x[:, 0].numpy().copy())
        eps = denoiser_fn(x, batch, torch.full((rows,), float(t), dtype=torch.float32), prior)
        if first_x0 is None:   # the confidence's first-step agreement (pgdiffseg.confidence)
            first_x0 = _x0_probability(scheduler, eps, t, x, ensemble, flip_average)
        x = scheduler.step(eps, t, x, **extra).prev_sample
    x0 = x[:, 0].numpy()
    if keep_trajectory:
        trajectory.append(x0.copy())
    probability = image_probability(np.clip((x0 + 1.0) / 2.0, 0.0, 1.0), ensemble, flip_average)
    return SegmentationOutput(class_probs, False, probability.astype(np.float32), x0, trajectory, first_x0)


def image_probability(per_row: np.ndarray, ensemble: int, flip_average: bool) -> np.ndarray:
    """The image's probability from per-row maps [rows, H, W]: the mean over its K rows; with flip averaging, the
    mean of that and of its mirror's K rows mapped back."""
    if flip_average:
        return (per_row[:ensemble].mean(axis=0) + per_row[ensemble:, :, ::-1].mean(axis=0)) / 2
    return per_row.mean(axis=0)


def _x0_probability(scheduler, model_output: torch.Tensor, t, x: torch.Tensor, ensemble: int,
                    flip_average: bool) -> np.ndarray:
    """The probability of the clean sample predicted from one model output at timestep t, as the SDK's schedulers
    return it (clipped to [-1, 1] where the scheduler clips, as DDIM and DDPM do), combined over the rows as the
    final probability is."""
    ab = scheduler.alphas_cumprod[int(t)].to(torch.float32)
    a, b = ab.sqrt(), (1 - ab).sqrt()
    kind = scheduler.config.prediction_type
    x0 = (a * x - b * model_output if kind == "v_prediction" else model_output if kind == "sample"
          else (x - b * model_output) / a)
    if getattr(scheduler.config, "clip_sample", False):
        x0 = x0.clamp(-scheduler.config.clip_sample_range, scheduler.config.clip_sample_range)
    return image_probability(np.clip((x0[:, 0].numpy() + 1.0) / 2.0, 0.0, 1.0), ensemble, flip_average
                             ).astype(np.float32)


def torch_model_fns(model) -> tuple[Callable, Callable]:
    return model.prior, model.denoiser


def averaged_model_fns(first: tuple[Callable, Callable], second: tuple[Callable, Callable]
                       ) -> tuple[Callable, Callable]:
    """Two models as one: both priors' features side by side (each denoiser takes its own), the class and
    coarse-mask probabilities averaged (returned as logits), the denoisers' outputs averaged on the same x_t.
    The models must share the diffusion schedule and prediction type."""
    (prior_a, denoiser_a), (prior_b, denoiser_b) = first, second
    channels: list[int] = []   # the first prior's feature channels, for splitting them again per denoiser

    def prior_fn(image):
        (features_a, logits_a, coarse_a), (features_b, logits_b, coarse_b) = prior_a(image), prior_b(image)
        channels[:] = [features_a.shape[1]]
        probs = (torch.softmax(logits_a, dim=1) + torch.softmax(logits_b, dim=1)) / 2
        coarse = (torch.sigmoid(coarse_a) + torch.sigmoid(coarse_b)) / 2
        return (torch.cat([features_a, features_b], dim=1), torch.log(probs.clamp_min(1e-12)),
                torch.logit(coarse, eps=1e-6))

    def denoiser_fn(x_t, image, t, p):
        c = channels[0]
        return (denoiser_a(x_t, image, t, p[:, :c].contiguous()) + denoiser_b(x_t, image, t, p[:, c:].contiguous())) / 2

    return prior_fn, denoiser_fn


def onnx_model_fns(prior_path, denoiser_path, threads: int = 0) -> tuple[Callable, Callable]:
    """The same callables over the exported graphs, through onnxruntime on CPU."""
    import onnxruntime as ort
    opts = ort.SessionOptions()
    if threads:
        opts.intra_op_num_threads = threads
    prior = ort.InferenceSession(str(prior_path), opts, providers=["CPUExecutionProvider"])
    denoiser = ort.InferenceSession(str(denoiser_path), opts, providers=["CPUExecutionProvider"])

    def prior_fn(image):
        outs = prior.run(None, {"image": image.numpy()})
        return tuple(torch.from_numpy(o) for o in outs)

    def denoiser_fn(x_t, image, t, p):
        feeds = {"x_t": x_t.numpy(), "image": image.numpy(), "t": t.numpy(), "prior": p.numpy()}
        return torch.from_numpy(denoiser.run(None, feeds)[0])

    return prior_fn, denoiser_fn
