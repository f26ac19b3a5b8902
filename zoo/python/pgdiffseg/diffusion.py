"""DDPM forward process and losses (Ho et al. 2020; the paper's Equations 8-10, 19)."""
from __future__ import annotations

import torch
import torch.nn.functional as F

from .config import ModelConfig

# Weights of the prior losses in Equation 10; the paper gives none (docs/model.md).
CLASS_WEIGHT = 0.5
MASK_WEIGHT = 0.5


class NoiseSchedule:
    """Linear betas beta_start..beta_end over T steps, alphas_cumprod in float32 as diffusers keeps them."""

    def __init__(self, cfg: ModelConfig):
        self.T = cfg.num_train_timesteps
        betas = torch.linspace(cfg.beta_start, cfg.beta_end, self.T, dtype=torch.float32)
        self.alphas_cumprod = torch.cumprod(1.0 - betas, dim=0)

    def q_sample(self, x0: torch.Tensor, t: torch.Tensor, noise: torch.Tensor) -> torch.Tensor:
        a = self.alphas_cumprod.to(x0.device)[t].view(-1, 1, 1, 1)
        return a.sqrt() * x0 + (1 - a).sqrt() * noise

    def target(self, prediction_type: str, x0: torch.Tensor, t: torch.Tensor, noise: torch.Tensor) -> torch.Tensor:
        """What the denoiser is trained to output: the noise (epsilon), the velocity
        v = sqrt(a) * noise - sqrt(1 - a) * x0 (Salimans & Ho 2022), or the clean mask (sample)."""
        if prediction_type == "epsilon":
            return noise
        if prediction_type == "sample":
            return x0
        if prediction_type == "v_prediction":
            a = self.alphas_cumprod.to(x0.device)[t].view(-1, 1, 1, 1)
            return a.sqrt() * noise - (1 - a).sqrt() * x0
        raise ValueError(f"unknown prediction type {prediction_type!r}")


def dice_loss(logits: torch.Tensor, target01: torch.Tensor, eps: float = 1.0) -> torch.Tensor:
    """Equation 8, per image, averaged; eps keeps empty masks (normal images) finite."""
    p = torch.sigmoid(logits).flatten(1)
    y = target01.flatten(1)
    return (1 - (2 * (p * y).sum(1) + eps) / (p.sum(1) + y.sum(1) + eps)).mean()


def prior_losses(class_logits, coarse_mask, mask_pm1, labels) -> tuple[torch.Tensor, torch.Tensor]:
    """Cross-entropy of the gate classes (Equation 7) and Dice + BCE of the coarse mask against the label
    resized to the coarse mask's size (Equations 8-9)."""
    ce = F.cross_entropy(class_logits, labels)
    target = F.interpolate((mask_pm1 + 1) / 2, size=coarse_mask.shape[-2:], mode="area")
    seg = dice_loss(coarse_mask, target) + F.binary_cross_entropy_with_logits(coarse_mask, target)
    return ce, seg


def sample_timesteps(n: int, T: int, power: float, generator=None, device=None) -> torch.Tensor:
    """Training timesteps: power 1 is uniform over [0, T); power p > 1 draws t = floor((1 - u^p) T), weighted
    towards high noise (median T (1 - 0.5^p)), where the sampler of a deterministic x_T = 0 start spends its
    first and most important call."""
    u = torch.rand(n, generator=generator)
    t = torch.floor((1.0 - u.pow(power)) * T).long().clamp(0, T - 1) if power != 1 else torch.floor(u * T).long()
    return t.clamp(0, T - 1).to(device) if device is not None else t.clamp(0, T - 1)


def predicted_x0(schedule: NoiseSchedule, prediction_type: str, out: torch.Tensor, x_t: torch.Tensor,
                 t: torch.Tensor) -> torch.Tensor:
    """The clean mask implied by the denoiser's output at (x_t, t)."""
    a = schedule.alphas_cumprod.to(out.device)[t].view(-1, 1, 1, 1)
    if prediction_type == "sample":
        return out
    if prediction_type == "v_prediction":
        return a.sqrt() * x_t - (1 - a).sqrt() * out
    if prediction_type == "epsilon":
        return (x_t - (1 - a).sqrt() * out) / a.sqrt().clamp(min=1e-3)
    raise ValueError(f"unknown prediction type {prediction_type!r}")


def x0_losses(x0: torch.Tensor, mask_pm1: torch.Tensor) -> torch.Tensor:
    """Dice + BCE of the predicted clean mask read as a probability p = (x0 + 1) / 2 (clipped to (0, 1)),
    against the {-1, 1} label: what the sampler's mean probability is thresholded on."""
    p = ((x0 + 1) * 0.5).clamp(1e-4, 1 - 1e-4)
    y = (mask_pm1 + 1) * 0.5
    pf, yf = p.flatten(1), y.flatten(1)
    dice = (1 - (2 * (pf * yf).sum(1) + 1.0) / (pf.sum(1) + yf.sum(1) + 1.0)).mean()
    return dice + F.binary_cross_entropy(p, y)
