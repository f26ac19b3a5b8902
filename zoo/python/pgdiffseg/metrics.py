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


def _surface(mask: np.ndarray) -> np.ndarray:
    m = mask.astype(np.uint8)
    return np.logical_and(mask, cv2.erode(m, np.ones((3, 3), np.uint8), borderType=cv2.BORDER_CONSTANT, borderValue=0) == 0)


def hd95(pred: np.ndarray, truth: np.ndarray) -> float:
    """95th percentile of the symmetric surface distances in pixels (medpy's hd95). 0 when both masks are
    empty; NaN when exactly one is (undefined, left out of means)."""
    if not pred.any() and not truth.any():
        return 0.0
    if not pred.any() or not truth.any():
        return float("nan")
    sp, st = _surface(pred), _surface(truth)
    to_truth = cv2.distanceTransform((~st).astype(np.uint8), cv2.DIST_L2, cv2.DIST_MASK_PRECISE)
    to_pred = cv2.distanceTransform((~sp).astype(np.uint8), cv2.DIST_L2, cv2.DIST_MASK_PRECISE)
    return float(np.percentile(np.hstack([to_truth[sp], to_pred[st]]), 95))
