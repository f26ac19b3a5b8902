"""Per-image overlap metrics at the mask's own size. An empty prediction on an empty mask scores 1."""
from __future__ import annotations

import cv2
import numpy as np


def to_original_size(probability: np.ndarray, height: int, width: int, threshold: float = 0.5) -> np.ndarray:
    """Probability map at model resolution -> boolean mask at (height, width), as the SDK does it."""
    p = cv2.resize(probability.astype(np.float32), (width, height), interpolation=cv2.INTER_LINEAR)
    return p >= threshold


def dice(pred: np.ndarray, truth: np.ndarray) -> float:
    total = pred.sum() + truth.sum()
    return 1.0 if total == 0 else float(2.0 * np.logical_and(pred, truth).sum() / total)


def iou(pred: np.ndarray, truth: np.ndarray) -> float:
    union = np.logical_or(pred, truth).sum()
    return 1.0 if union == 0 else float(np.logical_and(pred, truth).sum() / union)
