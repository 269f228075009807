"""Person boxes from keypoints: one definition for detection, propagation, training, eval and io.

Boxes are ``x1, y1, x2, y2`` float64 pixels (0-based, x right, y down).
"""

from __future__ import annotations

import numpy as np

from stdpose_core.data.track import Track


def joints_box(xy: np.ndarray, mask: np.ndarray, padding: float = 0.0, min_points: int = 1) -> np.ndarray | None:
    """Box around the joints ``xy[K,2]`` where ``mask[K]``, enlarged on each side by ``padding`` times its
    width/height (at least 1 px of size); None when fewer than ``min_points`` joints are there."""
    pts = np.asarray(xy, np.float64)[np.asarray(mask, bool)]
    pts = pts[np.isfinite(pts).all(axis=1)]
    if len(pts) < max(1, min_points):
        return None
    lo, hi = pts.min(axis=0), pts.max(axis=0)
    pad = padding * np.maximum(hi - lo, 1.0)
    return np.concatenate([lo - pad, hi + pad])


def person_box(track: Track, frame: int) -> np.ndarray | None:
    """The person's box on ``frame``: the stored box when it is a real box, else the extent of the
    labelled joints (``vis > 0``); None when neither exists."""
    box = track.bbox[frame]
    if np.isfinite(box).all() and box[2] > box[0] and box[3] > box[1]:
        return box.astype(np.float64)
    return joints_box(track.xy[frame], track.vis[frame] > 0)
