"""Image keypoints ↔ network tensors through one crop window: the glue training and propagation share.

``geometry`` maps points, ``codec`` renders/decodes heatmaps, ``normalize`` prepares pixels; these
helpers chain them so no caller re-derives the conventions (image pixels, 0-based, x right, y down).
"""

from __future__ import annotations

from typing import Sequence

import numpy as np

from stdpose_core.model.codec import decode, encode
from stdpose_core.model.geometry import PADDING, CropWindow, union_box  # noqa: F401  (re-exported)
from stdpose_core.model.normalize import normalize_crops


def pose_box(xy: np.ndarray, vis: np.ndarray) -> np.ndarray:
    """Tight box ``(x1,y1,x2,y2)`` of the labelled joints (``vis > 0``) of ``xy[K,2]``; NaN if none."""
    from stdpose_core.data.boxes import joints_box

    box = joints_box(xy, np.asarray(vis) > 0)
    return np.full(4, np.nan, np.float32) if box is None else box.astype(np.float32)


def window_for(box: np.ndarray, config=None, padding: float = PADDING, rotation: float = 0.0,
               scale: float = 1.0) -> CropWindow:
    """The crop window of ``box`` at the config's crop/heatmap sizes (defaults 256x192 → 64x48)."""
    if config is None:
        return CropWindow.from_box(box, padding=padding, rotation=rotation, scale=scale)
    return CropWindow.from_box(box, tuple(config.img_size), tuple(config.heatmap_size), padding, rotation, scale)


def crop_frames(frames: Sequence[np.ndarray], window: CropWindow) -> np.ndarray:
    """RGB uint8 frames ``(H,W,3)`` → normalised crops ``[B,3,h,w]`` float32, all with ``window``."""
    if len(frames) == 0:
        return np.zeros((0, 3, *window.crop_size), np.float32)
    return normalize_crops(np.stack([window.crop(f) for f in frames]))


def keypoints_to_heatmaps(
    window: CropWindow, xy: np.ndarray, vis: np.ndarray, sigma: float = 2.0
) -> tuple[np.ndarray, np.ndarray]:
    """Image keypoints ``xy[K,2]``, ``vis[K]`` → ``heatmaps[K,H,W]`` and ``target_weight[K]``.

    Use it for the rendered keyframe heatmaps of propagation mode (``sigma = config.heatmap_sigma``)
    and for training targets.
    """
    return encode(window.image_to_heatmap(np.asarray(xy, np.float32)), vis, window.heatmap_size, sigma)


def heatmaps_to_keypoints(window: CropWindow, heatmaps: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``heatmaps[..., K, H, W]`` (all cut with ``window``) → image ``xy[..., K, 2]`` and ``score[..., K]``."""
    xy, score = decode(heatmaps)
    return window.heatmap_to_image(xy), score
