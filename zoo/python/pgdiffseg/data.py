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


class BusiDataset(Dataset):
    """Preprocessed images and masks held in memory; with `augment=True` each image appears six times,
    once per variant, so an epoch is the paper's six-fold training set."""

    VARIANTS = 6

    def __init__(self, root: Path, split: str, size: int, augment: bool = False):
        self.samples = read_split(root, split)
        self.images = np.stack([preprocess(load_image(s.image_path), size) for s in self.samples])
        self.masks = np.stack([preprocess_mask(load_mask(s.mask_path), size) for s in self.samples])
        self.labels = np.array([int(s.has_tumor) for s in self.samples], dtype=np.int64)
        self.variants = self.VARIANTS if augment else 1

    def __len__(self) -> int:
        return len(self.samples) * self.variants

    def __getitem__(self, index: int):
        i, k = divmod(index, self.variants)
        image = np.ascontiguousarray(augment(self.images[i], k))[None]
        mask = np.ascontiguousarray(augment(self.masks[i], k))[None]
        return torch.from_numpy(image), torch.from_numpy(mask), torch.tensor(self.labels[i])
