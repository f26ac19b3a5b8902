"""BUSI data: the split of `split.csv`, the paper's preprocessing and its six-fold augmentation.

Preprocessing is the sequence the Java SDK reproduces with OpenCV (docs/imaging.md): gray float32,
clip to the intensity window, resize to the model size with area interpolation, scale to [-1, 1].
Masks are resized with nearest neighbour and mapped to {-1, 1}.
"""
from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np
import torch
from torch.utils.data import Dataset

WINDOW = (30.0, 235.0)
NORMALIZATION_RANGE = (-1.0, 1.0)
CLASS_NAMES = ("no_tumor", "tumor")   # gate classes; BUSI "normal" is no_tumor


@dataclass(frozen=True)
class Sample:
    id: str
    busi_class: str
    image_path: Path
    mask_path: Path

    @property
    def has_tumor(self) -> bool:
        return self.busi_class != "normal"


def read_split(root: Path, split: str) -> list[Sample]:
    """Rows of `split.csv` for one split, in file order."""
    if split not in ("train", "val"):
        raise ValueError(f"split must be 'train' or 'val', got {split!r}")
    with open(root / "split.csv", newline="") as f:
        rows = [r for r in csv.DictReader(f) if r["split"] == split]
    return [Sample(r["id"], r["class"], root / split / "images" / f"{r['id']}.png",
                   root / split / "masks" / f"{r['id']}.png") for r in rows]


def to_gray_float(image: np.ndarray) -> np.ndarray:
    """Decoded image (any depth, 1-4 channels, OpenCV BGR order) -> gray float32 on the 0..255 scale."""
    img = image.astype(np.float32) / 257.0 if image.dtype == np.uint16 else image
    if img.ndim == 3 and img.shape[2] == 3:
        img = cv2.cvtColor(img, cv2.COLOR_BGR2GRAY)
    elif img.ndim == 3 and img.shape[2] == 4:
        img = cv2.cvtColor(img, cv2.COLOR_BGRA2GRAY)
    elif img.ndim == 3:
        img = img[:, :, 0]
    return img.astype(np.float32)


def preprocess(gray: np.ndarray, size: int, window: tuple[float, float] = WINDOW) -> np.ndarray:
    """Gray float32 image -> [size, size] float32 in [-1, 1]."""
    lo, hi = window
    f = np.clip(gray.astype(np.float32), lo, hi)
    f = cv2.resize(f, (size, size), interpolation=cv2.INTER_AREA)
    return ((f - lo) / (hi - lo) * 2.0 - 1.0).astype(np.float32)


def input_spec(size: int) -> dict:
    """The preprocessing `preprocess` applies, in the form of bundle.json's `input`: the source of truth that the
    bundle writer and the conformance fixtures take it from."""
    return {"height": size, "width": size, "channels": 1, "intensity_window": list(WINDOW),
            "normalization_range": list(NORMALIZATION_RANGE), "resize_interpolation": "area"}


def preprocess_mask(mask: np.ndarray, size: int) -> np.ndarray:
    """0/255 mask -> [size, size] float32 in {-1, 1}."""
    m = cv2.resize(mask, (size, size), interpolation=cv2.INTER_NEAREST)
    return np.where(m > 127, 1.0, -1.0).astype(np.float32)


def load_image(path: Path) -> np.ndarray:
    image = cv2.imread(str(path), cv2.IMREAD_UNCHANGED)
    if image is None:
        raise ValueError(f"{path}: not a readable image")
    return to_gray_float(image)


def load_mask(path: Path) -> np.ndarray:
    mask = cv2.imread(str(path), cv2.IMREAD_GRAYSCALE)
    if mask is None:
        raise ValueError(f"{path}: not a readable mask")
    return mask


def augment(x: np.ndarray, k: int) -> np.ndarray:
    """The paper's six variants: identity, horizontal flip, vertical flip, rotations 90/180/270."""
    if k == 0:
        return x
    if k == 1:
        return x[..., :, ::-1]
    if k == 2:
        return x[..., ::-1, :]
    return np.rot90(x, k - 2, axes=(-2, -1))


def augment_ultrasound(image: np.ndarray, mask: np.ndarray, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Ultrasound-plausible augmentation of a preprocessed [-1, 1] image and its {-1, 1} mask (size `cpu2`,
    instead of the paper's six orientations: a probe is never upside down): horizontal flip; scale 0.85-1.2,
    rotation +-12 degrees and shift +-8 % (one affine warp, black border); gamma 0.7-1.4; contrast 0.8-1.25 and
    brightness +-0.08; multiplicative speckle (smoothed Gaussian, sigma up to 0.15)."""
    size = image.shape[-1]
    img, msk = image.astype(np.float32), mask.astype(np.float32)
    if rng.random() < 0.5:
        img, msk = img[:, ::-1], msk[:, ::-1]
    if rng.random() < 0.8:
        scale, angle = rng.uniform(0.85, 1.2), rng.uniform(-12.0, 12.0)
        shift = rng.uniform(-0.08, 0.08, size=2) * size
        m = cv2.getRotationMatrix2D(((size - 1) / 2, (size - 1) / 2), angle, scale)
        m[:, 2] += shift
        img = cv2.warpAffine(np.ascontiguousarray(img), m, (size, size), flags=cv2.INTER_LINEAR,
                             borderMode=cv2.BORDER_CONSTANT, borderValue=-1.0)
        msk = cv2.warpAffine(np.ascontiguousarray(msk), m, (size, size), flags=cv2.INTER_NEAREST,
                             borderMode=cv2.BORDER_CONSTANT, borderValue=-1.0)
    x = (img + 1.0) * 0.5
    if rng.random() < 0.5:
        x = np.clip(x, 0.0, 1.0) ** np.exp(rng.uniform(np.log(0.7), np.log(1.4)))
    if rng.random() < 0.5:
        x = (x - 0.5) * rng.uniform(0.8, 1.25) + 0.5 + rng.uniform(-0.08, 0.08)
    if rng.random() < 0.3:
        noise = cv2.GaussianBlur(rng.standard_normal((size, size)).astype(np.float32), (3, 3), 0.8)
        x = x * (1.0 + rng.uniform(0.0, 0.15) * noise / max(float(noise.std()), 1e-6))
    img = (np.clip(x, 0.0, 1.0) * 2.0 - 1.0).astype(np.float32)
    return np.ascontiguousarray(img), np.ascontiguousarray(np.where(msk > 0, 1.0, -1.0).astype(np.float32))


class BusiDataset(Dataset):
    """Preprocessed images and masks held in memory. `augment`: False (none), True or "paper" (each image
    appears six times, once per variant, so an epoch is the paper's six-fold training set), or "ultrasound"
    (each image once per epoch, randomly augmented by `augment_ultrasound`; the draw depends only on
    (seed, epoch, index), so a resumed run sees the same images)."""

    VARIANTS = 6

    def __init__(self, root: Path, split: str, size: int, augment: bool | str = False, seed: int = 0):
        self.samples = read_split(root, split)
        self.images = np.stack([preprocess(load_image(s.image_path), size) for s in self.samples])
        self.masks = np.stack([preprocess_mask(load_mask(s.mask_path), size) for s in self.samples])
        self.labels = np.array([int(s.has_tumor) for s in self.samples], dtype=np.int64)
        mode = "paper" if augment is True else (augment or "none")
        if mode not in ("none", "paper", "ultrasound"):
            raise ValueError(f"unknown augmentation {augment!r}")
        self.mode = mode
        self.variants = self.VARIANTS if mode == "paper" else 1
        self.seed, self.epoch = seed, 0

    def __len__(self) -> int:
        return len(self.samples) * self.variants

    def __getitem__(self, index: int):
        i, k = divmod(index, self.variants)
        if self.mode == "ultrasound":
            rng = np.random.default_rng((self.seed, self.epoch, index))
            image, mask = augment_ultrasound(self.images[i], self.masks[i], rng)
            image, mask = image[None], mask[None]
        else:
            image = np.ascontiguousarray(augment(self.images[i], k))[None]
            mask = np.ascontiguousarray(augment(self.masks[i], k))[None]
        return torch.from_numpy(image), torch.from_numpy(mask), torch.tensor(self.labels[i])
