"""Per-joint confidence of propagated joints: a score in [0, 1] that predicts the error.

Every method first estimates an expected pixel error per joint from evidence it has (distance to the
nearest keyframe, how far the joint moves between keyframes, forward/backward disagreement, tracking
drift at the far keyframe, forward-backward LK error) and then maps it through
:func:`score_from_error`, which is relative to the person's head size: a joint whose expected error is
0.2 head sizes gets 0.5. Calibration is measured with ``stdpose_core.eval.auroc`` of ``1 - score``
against "error > 0.2 head size" (``scoring.calibration_auroc``, benchmarks/bench_propagation.py).
"""

from __future__ import annotations

import numpy as np

from stdpose_core.data.track import Track
from stdpose_core.skeleton import Skeleton

#: Threshold (in head sizes) at which a joint counts as wrong for calibration.
ERROR_THRESHOLD = 0.2


def head_size(track: Track, frame: int, skeleton: Skeleton) -> float:
    """Head size in pixels of ``track`` on ``frame`` (PoseTrack: 0.6 x head-box diagonal).

    Fallbacks when there is no head box: the head_top-head_bottom distance, then a seventh of the
    larger side of the labelled joints' extent. Never below 4 px.
    """
    hb = track.head_bbox[frame]
    if np.isfinite(hb).all() and hb[2] > hb[0] and hb[3] > hb[1]:
        return max(4.0, 0.6 * float(np.hypot(hb[2] - hb[0], hb[3] - hb[1])))
    vis = track.vis[frame] > 0
    names = skeleton.joint_names
    if "head_top" in names and "head_bottom" in names:
        a, b = names.index("head_top"), names.index("head_bottom")
        if vis[a] and vis[b]:
            return max(4.0, float(np.linalg.norm(track.xy[frame, a] - track.xy[frame, b])))
    if vis.sum() >= 2:
        pts = track.xy[frame][vis]
        return max(4.0, float((pts.max(0) - pts.min(0)).max()) / 7.0)
    box = track.bbox[frame]
    if np.isfinite(box).all():
        return max(4.0, float(max(box[2] - box[0], box[3] - box[1])) / 7.0)
    return 20.0


def gap_head_size(track: Track, left: int | None, right: int | None, skeleton: Skeleton) -> float:
    """Mean head size over the gap's anchor keyframes."""
    sizes = [head_size(track, f, skeleton) for f in (left, right) if f is not None]
    return float(np.mean(sizes))


def score_from_error(expected_error: np.ndarray, scale: float | np.ndarray) -> np.ndarray:
    """Map an expected pixel error to a score in (0, 1]: 1 / (1 + (e / (0.2 * scale))^2)."""
    x = np.asarray(expected_error, np.float64) / (ERROR_THRESHOLD * np.asarray(scale, np.float64))
    return (1.0 / (1.0 + x * x)).astype(np.float32)


def interp_expected_error(motion: np.ndarray, s: np.ndarray, gap_frames: int, scale: float) -> np.ndarray:
    """Expected error of linear interpolation.

    ``motion[K]``: joint displacement between the keyframes (px); ``s[n]`` relative time in (0, 1);
    returns ``[n,K]``. The error of a straight line grows towards the middle of the gap
    (``4 s (1 - s)``), with the joint's motion (curved paths) and with the gap length (unseen
    back-and-forth motion).
    """
    bump = 4.0 * s * (1.0 - s)
    return bump[:, None] * (0.35 * motion[None, :] + 0.03 * gap_frames * scale)


def flow_expected_error(
    s: np.ndarray,
    disagreement: np.ndarray,
    drift_fwd: np.ndarray,
    drift_bwd: np.ndarray,
    fb_fwd: np.ndarray,
    fb_bwd: np.ndarray,
    fallback: np.ndarray,
    interp_err: np.ndarray,
) -> np.ndarray:
    """Expected error of a flow-propagated joint; arrays are ``[n,...]`` (``s`` is ``[n]``).

    ``disagreement``: distance between the drift-corrected forward and backward tracks;
    ``drift_*``: how far each track missed the keyframe at its far end (spread over the gap);
    ``fb_*``: accumulated forward-backward LK error up to this frame; ``fallback`` in [0, 1]: weight
    of interpolation in the final value (where tracking failed); ``interp_err``: interpolation's own
    expected error.
    """
    s2 = np.asarray(s, np.float64).reshape((-1,) + (1,) * (np.ndim(disagreement) - 1))
    drift = 4.0 * s2 * (1.0 - s2) * 0.5 * (drift_fwd + drift_bwd)
    track_err = np.sqrt((0.5 * disagreement) ** 2 + (0.35 * drift) ** 2 + (0.5 * ((1 - s2) * fb_fwd + s2 * fb_bwd)) ** 2)
    return (1.0 - fallback) * track_err + fallback * interp_err
