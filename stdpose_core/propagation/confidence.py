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


#: Logistic model of P(error > 0.2 head size) for a flow-propagated joint: intercept, then weights of
#: ``log1p(b * motion / h)``, ``log1p(disagreement / h)``, ``log1p(b * drift / h)``, ``fallback``,
#: ``log(gap frames)`` with ``b = 4 s (1 - s)`` and ``h`` the head size. Fitted by logistic regression
#: on stdpose synth clips (3 seeds x 4 people x 90 frames, T = 5..20); AUROC on 2 held-out seeds
#: 0.91 (the hand-made expected-error score it replaced: 0.89), on the JHMDB clip 0.78 (0.77).
FLOW_LOGIT = (-5.916, 1.367, 0.643, 0.882, 3.551, 0.208)


def flow_score(
    s: np.ndarray,
    motion: np.ndarray,
    disagreement: np.ndarray,
    drift: np.ndarray,
    fallback: np.ndarray,
    span: int,
    scale: np.ndarray,
) -> np.ndarray:
    """Score in (0, 1) = estimated probability that a flow joint is within 0.2 head sizes.

    ``s[n]`` relative time; ``motion[G,K]`` joint displacement between the keyframes (px);
    ``disagreement[n,G,K]`` distance of the drift-corrected forward and backward tracks (px);
    ``drift[G,K]`` mean distance by which the two tracks missed their far keyframe (px);
    ``fallback[n,G,K]`` weight of interpolation in the value; ``span`` keyframe distance (frames);
    ``scale[G]`` head size (px). Returns ``[n,G,K]`` float32.
    """
    b = (4.0 * s * (1.0 - s))[:, None, None]
    h = np.asarray(scale, np.float64)[None, :, None]
    c = FLOW_LOGIT
    z = (c[0] + c[1] * np.log1p(b * motion[None] / h) + c[2] * np.log1p(disagreement / h)
         + c[3] * np.log1p(b * drift[None] / h) + c[4] * fallback + c[5] * np.log(max(span, 1)))
    return (1.0 / (1.0 + np.exp(z))).astype(np.float32)
