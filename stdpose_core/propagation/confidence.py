"""Per-joint confidence of propagated joints: a score in [0, 1] that predicts the error.

Every method first estimates an expected pixel error per joint from evidence it has (distance to the
nearest keyframe, how far the joint moves between keyframes, forward/backward disagreement, tracking
drift at the far keyframe, forward-backward LK error) and then maps it through
:func:`score_from_error`, which is relative to the person's head size: a joint whose expected error is
0.2 head sizes gets 0.5. Calibration is measured with ``stdpose_core.eval.auroc`` of ``1 - score``
against "error > 0.2 head size" (``scoring.calibration_auroc``, benchmarks/bench_propagation.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np
from scipy.special import expit

from stdpose_core.data.track import Track
from stdpose_core.propagation.flow_weights import CONFIDENCE
from stdpose_core.propagation.tiny_mlp import TinyMLP
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


def interp_expected_error(motion: np.ndarray, s: np.ndarray, gap_frames, scale) -> np.ndarray:
    """Expected error of linear interpolation.

    ``motion[K]``: joint displacement between the keyframes (px); ``s[n]`` relative time in (0, 1);
    ``gap_frames`` the keyframe distance and ``scale`` the head size (px); returns ``[n,K]``. For G
    gaps at once: ``motion[G,K]``, ``s[n,G]``, ``gap_frames`` and ``scale`` ``[G]``, giving ``[n,G,K]``.
    The error of a straight line grows towards the middle of the gap (``4 s (1 - s)``), with the
    joint's motion (curved paths) and with the gap length (unseen back-and-forth motion).
    """
    bump = 4.0 * s * (1.0 - s)
    length = (0.03 * np.asarray(gap_frames, np.float64) * np.asarray(scale, np.float64))[..., None]
    # added in motion's precision (float32), as a Python float scalar was: the same scores as one gap at a time
    return bump[..., None] * (0.35 * motion[None] + length.astype(motion.dtype))


#: Inputs of flow's confidence network (``flow_weights.CONFIDENCE``), the columns of
#: :meth:`FlowEvidence.features`. The network is fitted by ``benchmarks/calibrate_flow_confidence.py``
#: on the JHMDB ``train`` clips of ``models/splits/jhmdb.json`` (T = 5, 7, 10, 15, 20, 30;
#: box-normalised error); figures on the ``val`` clips: benchmarks/bench_propagation.py. (v0.1's
#: model, fitted on generated clips only, gave AUROC 0.91 there but 0.70-0.85 on real video; a
#: logistic model on these features 0.839-0.869 on ``val``.)
FLOW_FEATURES = ("motion", "disagreement", "drift", "fallback", "log_span", "dead", "residual", "bone",
                 "near_frames", "mid_gap", "depth", "articulation", "log_head", "departure", "motion_x_span",
                 "disagreement_x_span", "drift_x_span", "fallback_x_span")
#: Keyframe interval (frames) about which the ``*_x_span`` features turn: they let the weights of
#: motion, disagreement, drift and fallback change with log(T / SPAN_PIVOT).
SPAN_PIVOT = 10.0


@dataclass
class FlowEvidence:
    """What flow knows about each propagated joint, ``[n,G,K]`` unless said otherwise.

    ``s[n]`` relative time; ``motion[G,K]`` joint displacement between the keyframes (px);
    ``articulation[G,K]`` the same less the person's median displacement (px: motion of the limb
    rather than of the whole body); ``disagreement`` distance of the drift-corrected forward and
    backward tracks (px); ``drift[G,K]`` mean distance by which the two tracks missed their far
    keyframe (px); ``fallback`` weight of interpolation in the value; ``span`` keyframe distance
    (frames); ``head[G]`` head size (px); ``dead`` how many of the two directions lost the joint
    (0-2); ``residual`` LK residual per step, mean of both directions (grey levels); ``bone`` |log|
    ratio of the joint's parent bone length to its keyframe length (0 = same length); ``depth[K]``
    bones between the joint and the skeleton's first joint (wrists and ankles are deepest);
    ``departure`` distance of the propagated value from linear interpolation (px).
    """

    s: np.ndarray
    motion: np.ndarray
    disagreement: np.ndarray
    drift: np.ndarray
    fallback: np.ndarray
    span: int
    head: np.ndarray
    dead: np.ndarray
    residual: np.ndarray
    bone: np.ndarray
    depth: np.ndarray
    articulation: np.ndarray
    departure: np.ndarray

    def features(self) -> np.ndarray:
        """``[n,G,K,F]`` float64 in the order of :data:`FLOW_FEATURES` (``b = 4 s (1 - s)``, h = head)."""
        n, G, K = self.disagreement.shape
        b = (4.0 * self.s * (1.0 - self.s))[:, None, None]
        h = np.asarray(self.head, np.float64)[None, :, None]
        near = np.minimum(self.s, 1 - self.s)[:, None, None] * self.span
        cols = [np.log1p(b * self.motion[None] / h), np.log1p(self.disagreement / h),
                np.log1p(b * self.drift[None] / h), self.fallback, np.full((n, G, K), np.log(max(self.span, 1))),
                self.dead.astype(np.float64), np.log1p(self.residual / 10.0), self.bone, np.log1p(near),
                b, np.asarray(self.depth, np.float64)[None, None, :] / 4.0, np.log1p(b * self.articulation[None] / h)]
        cols.append(np.log(h / 20.0))  # small people: LK's window covers more than the joint
        cols.append(np.log1p(self.departure / h))
        turn = np.log(max(self.span, 1) / SPAN_PIVOT)  # long gaps weigh the evidence differently
        cols += [c * turn for c in cols[0:4]]
        return np.stack([np.broadcast_to(c, (n, G, K)).astype(np.float64) for c in cols], axis=-1)


def joint_depth(edges, num_joints: int) -> np.ndarray:
    """``[K]`` int: bones between each joint and joint 0 along ``edges`` (unreachable joints: 0)."""
    return _joint_depth(tuple(map(tuple, edges)), num_joints).copy()


@lru_cache(maxsize=16)
def _joint_depth(edges: tuple, num_joints: int) -> np.ndarray:
    depth = np.full(num_joints, -1)
    depth[0] = 0
    for _ in range(num_joints):
        for a, b in edges:
            for u, v in ((a, b), (b, a)):
                if depth[u] >= 0 and depth[v] < 0:
                    depth[v] = depth[u] + 1
    return np.maximum(depth, 0)


def flow_score(evidence: FlowEvidence) -> np.ndarray:
    """Score in (0, 1) = estimated probability that a flow joint is within 0.2 head sizes, ``[n,G,K]`` float32
    (the confidence network gives the logit of the opposite)."""
    z = confidence_network()(evidence.features())[..., 0]
    return expit(-z).astype(np.float32)


@lru_cache(maxsize=1)
def confidence_network() -> TinyMLP:
    """The shipped confidence network (:data:`~.flow_weights.CONFIDENCE`)."""
    return TinyMLP.from_dict(CONFIDENCE)
