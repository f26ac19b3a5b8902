"""The ultrasound augmentation of `data.augment_ultrasound`, vectorised in torch over a batch, on the batch's device.

Same draws, same ranges (horizontal flip; scale 0.85-1.2, rotation +-12 degrees and shift +-8 % in one affine warp
with a black border; gamma 0.7-1.4; contrast 0.8-1.25 and brightness +-0.08; multiplicative speckle), but one kernel
per operation for the whole batch instead of numpy/OpenCV per image: on a GPU the per-image CPU work was what bound
the training step. The warp is OpenCV's `getRotationMatrix2D` + `warpAffine` expressed for `grid_sample`
(bilinear for the image, nearest for the mask); `tests/test_batch_augment.py` holds it against OpenCV.
"""
from __future__ import annotations

import math

import torch
import torch.nn.functional as F

SCALE = (0.85, 1.2)
ANGLE_DEGREES = 12.0
SHIFT = 0.08
GAMMA = (0.7, 1.4)
CONTRAST = (0.8, 1.25)
BRIGHTNESS = 0.08
SPECKLE = 0.15
P_FLIP, P_WARP, P_GAMMA, P_CONTRAST, P_SPECKLE = 0.5, 0.8, 0.5, 0.5, 0.3


def rotation_matrices(size: int, angle_degrees: torch.Tensor, scale: torch.Tensor, shift: torch.Tensor) -> torch.Tensor:
    """[N, 2, 3] pixel-space matrices as cv2.getRotationMatrix2D(((size-1)/2,)*2, angle, scale) plus the shift:
    they map a source pixel to its destination."""
    a = torch.deg2rad(angle_degrees)
    alpha, beta = scale * torch.cos(a), scale * torch.sin(a)
    c = (size - 1) / 2
    m = torch.stack([torch.stack([alpha, beta, (1 - alpha) * c - beta * c + shift[:, 0]], 1),
                     torch.stack([-beta, alpha, beta * c + (1 - alpha) * c + shift[:, 1]], 1)], 1)
    return m


def sampling_grid(m: torch.Tensor, size: int) -> torch.Tensor:
    """grid_sample grid (align_corners=False) that reads, for each destination pixel, the source pixel M^-1 maps it to
    (warpAffine without WARP_INVERSE_MAP)."""
    n = m.shape[0]
    full = torch.cat([m, torch.tensor([0.0, 0.0, 1.0], device=m.device).expand(n, 1, 3)], 1)
    inverse = torch.linalg.inv(full)[:, :2]
    coords = torch.arange(size, device=m.device, dtype=m.dtype)
    yy, xx = torch.meshgrid(coords, coords, indexing="ij")
    dst = torch.stack([xx, yy, torch.ones_like(xx)], -1).view(1, size * size, 3)
    src = dst @ inverse.transpose(1, 2)                          # [N, HW, 2] source pixel coordinates
    return ((src + 0.5) / size * 2 - 1).view(n, size, size, 2)   # pixel centres -> [-1, 1], align_corners=False


def warp(images: torch.Tensor, masks: torch.Tensor, m: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """Affine warp with border -1 (black image, background mask): the border is -1 by shifting to 0-padding."""
    grid = sampling_grid(m, images.shape[-1])
    image = F.grid_sample(images + 1, grid, mode="bilinear", padding_mode="zeros", align_corners=False) - 1
    mask = F.grid_sample(masks + 1, grid, mode="nearest", padding_mode="zeros", align_corners=False) - 1
    return image, mask


def gaussian_blur3(x: torch.Tensor, sigma: float = 0.8) -> torch.Tensor:
    """cv2.GaussianBlur(x, (3, 3), sigma) with OpenCV's reflect-101 border, per channel."""
    k = torch.exp(-torch.tensor([-1.0, 0.0, 1.0], device=x.device) ** 2 / (2 * sigma * sigma))
    k = k / k.sum()
    x = F.pad(x, (1, 1, 1, 1), mode="reflect")
    x = F.conv2d(x, k.view(1, 1, 1, 3))
    return F.conv2d(x, k.view(1, 1, 3, 1))


def uniform(n: int, lo: float, hi: float, g: torch.Generator, device) -> torch.Tensor:
    return (torch.rand(n, generator=g) * (hi - lo) + lo).to(device)


def chance(n: int, p: float, g: torch.Generator, device) -> torch.Tensor:
    return (torch.rand(n, generator=g) < p).to(device)


def augment_ultrasound_batch(images: torch.Tensor, masks: torch.Tensor, g: torch.Generator
                             ) -> tuple[torch.Tensor, torch.Tensor]:
    """[N, 1, S, S] images in [-1, 1] and {-1, 1} masks -> augmented copies. The draws come from `g` (a CPU
    generator, so a seed gives the same draws on any device); the arithmetic runs on the images' device."""
    n, size, dev = images.shape[0], images.shape[-1], images.device
    flip = chance(n, P_FLIP, g, dev).view(n, 1, 1, 1)
    img = torch.where(flip, images.flip(-1), images)
    msk = torch.where(flip, masks.flip(-1), masks)

    scale = uniform(n, *SCALE, g, dev)
    angle = uniform(n, -ANGLE_DEGREES, ANGLE_DEGREES, g, dev)
    shift = (torch.rand(n, 2, generator=g) * 2 * SHIFT - SHIFT).to(dev) * size
    warped_img, warped_msk = warp(img, msk, rotation_matrices(size, angle, scale, shift))
    do_warp = chance(n, P_WARP, g, dev).view(n, 1, 1, 1)
    img = torch.where(do_warp, warped_img, img)
    msk = torch.where(do_warp, warped_msk, msk)

    x = (img + 1) * 0.5
    gamma = torch.exp(uniform(n, math.log(GAMMA[0]), math.log(GAMMA[1]), g, dev)).view(n, 1, 1, 1)
    x = torch.where(chance(n, P_GAMMA, g, dev).view(n, 1, 1, 1), x.clamp(0, 1) ** gamma, x)
    contrast = uniform(n, *CONTRAST, g, dev).view(n, 1, 1, 1)
    brightness = uniform(n, -BRIGHTNESS, BRIGHTNESS, g, dev).view(n, 1, 1, 1)
    x = torch.where(chance(n, P_CONTRAST, g, dev).view(n, 1, 1, 1), (x - 0.5) * contrast + 0.5 + brightness, x)
    noise = gaussian_blur3(torch.randn(n, 1, size, size, generator=g).to(dev))
    std = noise.flatten(1).std(1).clamp(min=1e-6).view(n, 1, 1, 1)
    strength = uniform(n, 0.0, SPECKLE, g, dev).view(n, 1, 1, 1)
    x = torch.where(chance(n, P_SPECKLE, g, dev).view(n, 1, 1, 1), x * (1 + strength * noise / std), x)
    return x.clamp(0, 1) * 2 - 1, torch.where(msk > 0, 1.0, -1.0)
