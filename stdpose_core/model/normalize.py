"""Image normalisation for the network: the ONE place that knows the mean/std and channel order.

Crops are RGB uint8 ``(..., H, W, 3)`` (as ``FrameSource.frame`` and ``geometry.crop`` give them);
the network takes float32 ``(..., 3, H, W)`` normalised with the ImageNet mean/std.
"""

from __future__ import annotations

import numpy as np

#: ImageNet statistics, RGB order, for pixel values scaled to [0, 1].
IMAGENET_MEAN = np.array([0.485, 0.456, 0.406], np.float32)
IMAGENET_STD = np.array([0.229, 0.224, 0.225], np.float32)


def normalize_crops(crops: np.ndarray) -> np.ndarray:
    """RGB uint8 ``(..., H, W, 3)`` → float32 ``(..., 3, H, W)``, ImageNet-normalised, contiguous."""
    crops = np.asarray(crops)
    if crops.shape[-1] != 3:
        raise ValueError(f"expected RGB crops (..., H, W, 3), got shape {crops.shape}")
    x = (crops.astype(np.float32) / 255.0 - IMAGENET_MEAN) / IMAGENET_STD
    return np.ascontiguousarray(np.moveaxis(x, -1, -3))


def denormalize_crops(x: np.ndarray) -> np.ndarray:
    """Inverse of :func:`normalize_crops`: float32 ``(..., 3, H, W)`` → RGB uint8 ``(..., H, W, 3)``."""
    img = np.moveaxis(np.asarray(x, np.float32), -3, -1) * IMAGENET_STD + IMAGENET_MEAN
    return np.clip(np.rint(img * 255.0), 0, 255).astype(np.uint8)
