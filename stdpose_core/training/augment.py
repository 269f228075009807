"""Training augmentations: crop-window jitter (scale, rotation, flip) and photometric changes.

The crop window comes from ``stdpose_core.model.geometry`` (box enlarged 25%, 3:4 aspect) and is the
SAME for all three frames of a triplet, as at inference. A horizontal flip mirrors the crop and swaps
left/right joints with the skeleton's flip pairs. Colour jitter is shared by the triplet (lighting is
consistent over a few frames); occluding patches are drawn per frame (occluders move).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from stdpose_core.model.geometry import CropWindow, box_to_center_scale, crop_affine


@dataclass(frozen=True)
class AugmentSettings:
    """Ranges of the random augmentations (all off with :meth:`none`).

    ``scale``: window size factor drawn from ``1 ± scale``; ``rotation``: degrees drawn from
    ``± rotation`` with probability ``rotation_prob``; ``flip``: probability of a mirror; ``color``:
    brightness/contrast/saturation factors from ``1 ± color``; ``occlusion``: probability per frame of
    a random patch; ``aux_jitter``: std (heatmap pixels) of noise on the auxiliary labels before they
    are rendered (annotators are not pixel-exact); ``neighbour_*``: extra per-copy jitter for
    single-frame (COCO) samples, whose neighbours are augmented copies of the key image.
    """

    scale: float = 0.25
    rotation: float = 30.0
    rotation_prob: float = 0.5
    flip: float = 0.5
    color: float = 0.2
    occlusion: float = 0.3
    aux_jitter: float = 0.5
    neighbour_shift: float = 0.05
    neighbour_scale: float = 0.1
    neighbour_rotation: float = 10.0

    @classmethod
    def none(cls) -> "AugmentSettings":
        return cls(scale=0, rotation=0, rotation_prob=0, flip=0, color=0, occlusion=0, aux_jitter=0,
                   neighbour_shift=0, neighbour_scale=0, neighbour_rotation=0)


@dataclass(frozen=True)
class WindowParams:
    """One crop window: ``center``/``size`` (w, h) in image pixels, rotation (deg), scale, flip."""

    center: np.ndarray
    size: np.ndarray
    rotation: float = 0.0
    scale: float = 1.0
    flip: bool = False


def sample_window(box: np.ndarray, aug: AugmentSettings, rng: np.random.Generator) -> WindowParams:
    """Random window around ``box`` (x1,y1,x2,y2 image pixels)."""
    center, size = box_to_center_scale(box)
    scale = float(rng.uniform(1 - aug.scale, 1 + aug.scale)) if aug.scale > 0 else 1.0
    rot = float(rng.uniform(-aug.rotation, aug.rotation)) if aug.rotation > 0 and rng.random() < aug.rotation_prob else 0.0
    flip = bool(aug.flip > 0 and rng.random() < aug.flip)
    return WindowParams(center, size, rot, scale, flip)


def neighbour_window(w: WindowParams, aug: AugmentSettings, rng: np.random.Generator) -> WindowParams:
    """A slightly moved copy of ``w``: the fake neighbour of a single-frame sample."""
    shift = rng.uniform(-aug.neighbour_shift, aug.neighbour_shift, 2) * w.size
    scale = w.scale * float(rng.uniform(1 - aug.neighbour_scale, 1 + aug.neighbour_scale))
    rot = w.rotation + float(rng.uniform(-aug.neighbour_rotation, aug.neighbour_rotation))
    return WindowParams(w.center + shift, w.size, rot, scale, w.flip)


def make_window(w: WindowParams, crop_size: tuple[int, int], heatmap_size: tuple[int, int]) -> CropWindow:
    """The :class:`CropWindow` of ``w`` (a flip is composed after the crop: x' = W - 1 - x)."""
    a = crop_affine(w.center, w.size, crop_size, w.rotation, w.scale)
    if w.flip:
        a = np.array([[-1.0, 0.0, crop_size[1] - 1.0], [0.0, 1.0, 0.0]]) @ np.vstack([a, [0.0, 0.0, 1.0]])
    return CropWindow(a, tuple(crop_size), tuple(heatmap_size))


def flip_joints(xy: np.ndarray, vis: np.ndarray, perm: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Swap left/right joints (``perm`` from ``Skeleton.flip_permutation``); xy is already mirrored."""
    return xy[..., perm, :], vis[..., perm]


def sample_color(aug: AugmentSettings, rng: np.random.Generator) -> np.ndarray:
    """``[brightness, contrast, saturation]`` factors (1 = unchanged)."""
    if aug.color <= 0:
        return np.ones(3, np.float32)
    return rng.uniform(1 - aug.color, 1 + aug.color, 3).astype(np.float32)


def apply_color(crop: np.ndarray, factors: np.ndarray) -> np.ndarray:
    """Brightness, contrast and saturation on an RGB uint8 ``(H, W, 3)`` crop."""
    if np.allclose(factors, 1.0):
        return crop
    b, c, s = (float(v) for v in factors)
    x = crop.astype(np.float32) * b
    mean = x.mean()
    x = (x - mean) * c + mean
    gray = x @ np.array([0.299, 0.587, 0.114], np.float32)
    x = (x - gray[..., None]) * s + gray[..., None]
    return np.clip(x, 0, 255).astype(np.uint8)


def occlude(crop: np.ndarray, aug: AugmentSettings, rng: np.random.Generator) -> np.ndarray:
    """With probability ``aug.occlusion`` paint a random rectangle (10-40% of each side) of noise
    or a flat colour: teaches the model to lean on the other frames when a joint is hidden."""
    if aug.occlusion <= 0 or rng.random() >= aug.occlusion:
        return crop
    h, w = crop.shape[:2]
    ph, pw = int(h * rng.uniform(0.1, 0.4)), int(w * rng.uniform(0.1, 0.4))
    y, x = int(rng.integers(0, h - ph + 1)), int(rng.integers(0, w - pw + 1))
    out = crop.copy()
    if rng.random() < 0.5:
        out[y:y + ph, x:x + pw] = rng.integers(0, 256, 3, dtype=np.uint8)
    else:
        out[y:y + ph, x:x + pw] = rng.integers(0, 256, (ph, pw, 3), dtype=np.uint8)
    return out
