"""Fusing the forward and backward LK tracks of a gap into one value per joint and frame.

Shapes: ``n`` frames of the gap, ``G`` people, ``K`` joints; pixels, 0-based, x right, y down.
The steps of :func:`fuse_two_sided`, each a small pure function:

1. :func:`spread_drift`: a track misses its far keyframe by its *drift*; adding the drift in
   proportion to the path travelled so far (:func:`path_share`: a track drifts while it moves)
   makes it end there exactly (a stuck track becomes interpolation).
2. :func:`direction_reliability`: how far to trust each corrected track, from its drift, whether
   the joint is still alive (in head sizes).
3. :func:`direction_weights`: reliability times a temporal weight (the nearer keyframe counts more);
   how much of that goes to either direction is then :func:`direction_split`'s estimate of which
   track is the better one (drift, liveness, bone lengths, LK residual, time).
4. :func:`blend`: the weighted mean of the two corrected tracks; what the weights leave unexplained
   (:func:`fallback_share`) goes to interpolation moved by the person's reliable motion
   (:func:`body_motion`).
5. :func:`bone_outliers`: joints whose bones stretch beyond what the keyframes allow take the
   fallback value.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from functools import lru_cache

import numpy as np
from scipy.special import softmax

from stdpose_core.propagation.base import GapResult
from stdpose_core.propagation.confidence import FlowEvidence, joint_depth
from stdpose_core.propagation.flow_weights import SELECTOR
from stdpose_core.propagation.tiny_mlp import TinyMLP
from stdpose_core.propagation.tracking import Chain, group_median

#: Trust in a track that starts from an occluded keyframe joint (it follows the occluder).
OCCLUDED_TRUST = 0.3
#: Trust kept by a track after its joint died (it then moves with the person's median motion).
DEAD_TRUST = 0.15
#: Temporal weighting of the two directions, ((1 - s)^p, s^p): 0.5 trusts the far track more than a
#: linear blend does (measured on synth clips, T = 7 and 15).
TIME_POWER = 0.5
#: Drift (head sizes) at which a track's reliability halves. (Weighting by LK's residual or a per-step
#: forward-backward error as well lost 0.5-1.3 PCK@0.2 on JHMDB training clips at T = 15 and 30.)
#: (0.85 beat 0.5 by 0.2-0.4 points on JHMDB training clips, but lost 0.4-2 points on generated
#: clips of crossing people, seeds 200-202, at T = 15 and 20: kept at 0.5.)
DRIFT_HALF = 0.5
#: ... at a keyframe interval of ``DRIFT_SPAN`` frames; over longer gaps the half-point grows with the
#: square root of the interval (tracks drift more the longer they run). 0 = fixed half-point.
DRIFT_SPAN = 7
#: Fallback share below which a joint counts as reliably tracked when estimating the body's motion.
RELIABLE_FALLBACK = 0.3
#: A bone is wrong when longer than ``BONE_STRETCH`` x the longer keyframe length or shorter than
#: ``BONE_SHRINK`` x the shorter one, beyond a tolerance of ``BONE_TOLERANCE`` head sizes.
BONE_STRETCH, BONE_SHRINK, BONE_TOLERANCE = 1.3, 0.5, 0.15
#: Keeps a weight sum positive where both directions have zero weight.
EPS_WEIGHT = 1e-6
#: Logistic model of P(the forward track is nearer the truth than the backward one) per joint and
#: frame, weights of :func:`direction_features` (intercept first). Fitted by
#: ``benchmarks/calibrate_flow_confidence.py --direction`` on the JHMDB ``train`` clips (T = 5, 7, 15,
#: 30), each joint weighted by how much the choice matters (the two tracks' error difference).
#: Together with :func:`path_share` it raised PCK@0.2 on the train clips from 80.7 / 76.3 / 64.7 /
#: 54.1 to 81.1 / 76.8 / 65.5 / 55.3 (T = 5 / 7 / 15 / 30; the split alone gave 0.1-0.4 of that).
DIRECTION_LOGIT = (0.006, -1.460, -0.033, -0.373, 0.036, -0.662, -1.602, -0.196, 0.066)
DIRECTION_FEATURES = ("intercept", "drift_diff", "drift_sum", "time", "alive_diff", "bone_diff", "departure_diff",
                      "residual_diff", "time_x_drift_diff")


@dataclass
class GapFrame:
    """What the fusion knows about a group of gaps sharing anchors, besides the two tracks.

    ``s[n]`` relative time in (0, 1); ``span`` keyframe distance in frames; ``left_xy``/``right_xy``
    ``[G,K,2]`` and ``left_vis``/``right_vis`` ``[G,K]`` the keyframes (zeros where absent);
    ``interp[n,G,K,2]`` linear interpolation; ``side[n,G,K]`` int8 (2 both keyframes, 0/1 left/right
    only, -1 not filled, see ``interpolate_gap``); ``head[G]`` head size (px); ``marks_occlusion[G]``
    whether the track's data uses vis 1 for 'occluded'; ``edges`` the skeleton's bones;
    ``base`` the interpolation results per person.
    """

    s: np.ndarray
    span: int
    left_xy: np.ndarray
    right_xy: np.ndarray
    left_vis: np.ndarray
    right_vis: np.ndarray
    interp: np.ndarray
    side: np.ndarray
    head: np.ndarray
    marks_occlusion: np.ndarray
    edges: tuple
    base: list[tuple[GapResult, np.ndarray]]


@dataclass
class DirectionTrack:
    """One direction's track over the gap's frames, in frame order (index 0 = first gap frame).

    ``xy[n,G,K,2]``, ``alive[n,G,K]``, ``residual[n,G,K]`` (LK residual summed from the anchor);
    ``arrival[G,K,2]`` where the track reached the far keyframe (None for one-sided gaps).
    """

    xy: np.ndarray
    alive: np.ndarray
    residual: np.ndarray
    arrival: np.ndarray | None


def track_over_gap(chain: Chain, n: int, reverse: bool) -> DirectionTrack:
    """The chain's values on the gap's ``n`` frames in frame order (chain index 0 is the anchor).

    A backward chain (``reverse``) runs from the right keyframe leftwards. Frames the chain did not
    reach (one-sided gaps beyond ``max_extrapolate``) stay zero / not alive.
    """
    G, K = chain.alive.shape[1:]
    m = chain.xy.shape[0] - 1
    take = min(n, m)
    xy = np.zeros((n, G, K, 2), np.float32)
    alive = np.zeros((n, G, K), bool)
    residual = np.zeros((n, G, K), np.float32)
    where = slice(n - take, n) if reverse else slice(0, take)
    order = slice(None, None, -1) if reverse else slice(None)
    xy[where] = chain.xy[1 : take + 1][order]
    alive[where] = chain.alive[1 : take + 1][order]
    residual[where] = chain.residual[1 : take + 1][order]
    arrival = chain.xy[-1] if m > n else None
    return DirectionTrack(xy, alive, residual, arrival)


def spread_drift(xy: np.ndarray, drift: np.ndarray, travelled: np.ndarray) -> np.ndarray:
    """``xy[n,G,K,2] + travelled[n,G,K] * drift[G,K,2]``: the track bent to end at the far keyframe."""
    return xy + travelled[..., None] * drift[None]


#: Path step (px) added to every frame step in :func:`path_share`, so a track that does not move
#: spreads its drift evenly over time.
PATH_EPS = 1e-3


def path_share(xy: np.ndarray, anchor: np.ndarray, arrival: np.ndarray) -> np.ndarray:
    """``[n,G,K]`` share of a track's path length covered at each gap frame.

    ``xy[n,G,K,2]`` the track in the order it ran, from ``anchor[G,K,2]`` (its keyframe) to
    ``arrival[G,K,2]`` (where it reached the far keyframe). Spreading the drift by path rather
    than by time (``s``) gained 0.3-0.5 PCK@0.2 points on JHMDB training clips at T = 7 to 30
    (weighting steps by a power of their length, or by motion relative to the body, was no better).
    """
    path = np.concatenate([anchor[None], xy, arrival[None]], axis=0)
    step = np.linalg.norm(np.diff(path, axis=0), axis=-1) + PATH_EPS
    return np.cumsum(step, axis=0)[:-1] / step.sum(axis=0)[None]


def corrected_tracks(g: GapFrame, fwd: DirectionTrack, bwd: DirectionTrack):
    """Both tracks bent to end at their far keyframes: ``(corrected_f, corrected_b, drift_f, drift_b)``,
    ``[n,G,K,2]`` and ``[G,K,2]`` (px)."""
    drift_f = g.right_xy - fwd.arrival
    drift_b = g.left_xy - bwd.arrival
    corrected_f = spread_drift(fwd.xy, drift_f, path_share(fwd.xy, g.left_xy, fwd.arrival))
    corrected_b = spread_drift(bwd.xy, drift_b, path_share(bwd.xy[::-1], g.right_xy, bwd.arrival)[::-1])
    return corrected_f, corrected_b, drift_f, drift_b


def direction_reliability(drift_px: np.ndarray, alive: np.ndarray, head: np.ndarray,
                          occluded_anchor: np.ndarray, span: int = 0) -> np.ndarray:
    """Reliability in [0, 1] of one direction's corrected track, ``[n,G,K]``.

    ``drift_px[G,K]`` how far the raw track missed the far keyframe; ``alive[n,G,K]``; ``head[G]``
    px; ``occluded_anchor[G,K]`` the track starts from an occluded joint.
    """
    h = head[None, :, None]
    half = DRIFT_HALF * (np.sqrt(max(span, 1) / DRIFT_SPAN) if DRIFT_SPAN > 0 else 1.0)
    q = 1.0 / (1.0 + (drift_px[None] / (half * h)) ** 2)
    q = np.where(alive, q, DEAD_TRUST * q)
    return np.where(occluded_anchor[None], OCCLUDED_TRUST * q, q)


def direction_weights(s: np.ndarray, q_forward: np.ndarray, q_backward: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Blend weights ``[n,G,K]`` of the forward and backward tracks: reliability x temporal weight."""
    wf = ((1 - s) ** TIME_POWER)[:, None, None] * q_forward + EPS_WEIGHT
    wb = (s ** TIME_POWER)[:, None, None] * q_backward + EPS_WEIGHT
    return wf, wb


def direction_features(s: np.ndarray, drift_f: np.ndarray, drift_b: np.ndarray, alive_f: np.ndarray,
                       alive_b: np.ndarray, bone_f: np.ndarray, bone_b: np.ndarray, departure_f: np.ndarray,
                       departure_b: np.ndarray, residual_f: np.ndarray, residual_b: np.ndarray) -> np.ndarray:
    """``[n,G,K,F]`` in the order of :data:`DIRECTION_FEATURES`; forward minus backward where paired.

    ``s[n]``; ``drift_*[G,K]`` how far each raw track missed its far keyframe (head sizes);
    ``alive_*``, ``bone_*`` (|log| parent-bone length ratio, :func:`parent_bone_change`),
    ``departure_*`` (distance of the corrected track from interpolation, head sizes) and
    ``residual_*`` (LK residual per step, grey levels) ``[n,G,K]``.
    """
    n, G, K = alive_f.shape
    t = np.broadcast_to((s - 0.5)[:, None, None], (n, G, K))
    dd = np.broadcast_to((np.log1p(drift_f) - np.log1p(drift_b))[None], (n, G, K))
    cols = [np.ones((n, G, K)), dd, np.broadcast_to((np.log1p(drift_f) + np.log1p(drift_b))[None], (n, G, K)), t,
            alive_f.astype(np.float64) - alive_b, bone_f - bone_b, np.log1p(departure_f) - np.log1p(departure_b),
            np.log1p(residual_f / 10.0) - np.log1p(residual_b / 10.0), t * dd]
    return np.stack([np.asarray(c, np.float64) for c in cols], axis=-1)


def direction_split(features: np.ndarray, coef=None) -> np.ndarray:
    """Share ``[n,G,K]`` in (0, 1) of the two directions' weight that goes to the forward track."""
    z = features @ np.asarray(DIRECTION_LOGIT if coef is None else coef, np.float64)
    return 1.0 / (1.0 + np.exp(-np.clip(z, -30, 30)))


def blend(a: np.ndarray, b: np.ndarray, wa: np.ndarray, wb: np.ndarray) -> np.ndarray:
    """Weighted mean ``[n,G,K,2]`` of two tracks with weights ``[n,G,K]``."""
    return (wa[..., None] * a + wb[..., None] * b) / (wa + wb)[..., None]


def fallback_share(wf: np.ndarray, wb: np.ndarray) -> np.ndarray:
    """Share of the fallback (interpolation moved by the body) in a joint's value, ``[n,G,K]`` in [0, 1]."""
    return np.clip(1.0 - (wf + wb), 0.0, 1.0)


def body_motion(delta: np.ndarray, reliable: np.ndarray) -> np.ndarray:
    """Median over each person's reliable joints of ``delta[n,G,K,2]``; zeros where none. ``[n,G,2]``."""
    n, G, K, _ = delta.shape
    return group_median(delta.reshape(n * G, K, 2), reliable.reshape(n * G, K)).reshape(n, G, 2)


def bone_outliers(xy: np.ndarray, fallback: np.ndarray, left_xy: np.ndarray, right_xy: np.ndarray,
                  both: np.ndarray, edges, head: np.ndarray) -> np.ndarray:
    """``[n,G,K]`` bool: joints whose bones stretch beyond what the keyframes allow.

    ``xy``/``fallback`` ``[n,G,K,2]``; ``left_xy``/``right_xy`` ``[G,K,2]`` keyframe joints;
    ``both[G,K]`` the joint exists at both keyframes. Of a bad bone, the end farther from the
    fallback is blamed.
    """
    n, G, K = xy.shape[:3]
    if len(edges) == 0:
        return np.zeros((n, G, K), bool)
    a, b = np.array(edges, np.intp).T
    tol = BONE_TOLERANCE * head[None, :, None]
    l1 = np.linalg.norm(left_xy[:, a] - left_xy[:, b], axis=-1)  # [G,E]
    l2 = np.linalg.norm(right_xy[:, a] - right_xy[:, b], axis=-1)
    length = np.linalg.norm(xy[:, :, a] - xy[:, :, b], axis=-1)  # [n,G,E]
    wrong = (length > BONE_STRETCH * np.maximum(l1, l2)[None] + tol) | (length < BONE_SHRINK * np.minimum(l1, l2)[None] - tol)
    wrong &= (both[:, a] & both[:, b])[None]
    da = np.linalg.norm(xy[:, :, a] - fallback[:, :, a], axis=-1)
    db = np.linalg.norm(xy[:, :, b] - fallback[:, :, b], axis=-1)
    blamed = np.zeros((K, n, G), np.int32)  # joint-first, so np.add.at can index the joint axis
    np.add.at(blamed, a, (wrong & (da >= db)).transpose(2, 0, 1))
    np.add.at(blamed, b, (wrong & (db > da)).transpose(2, 0, 1))
    return blamed.transpose(1, 2, 0) > 0


def parent_bones(edges) -> tuple[np.ndarray, np.ndarray]:
    """``(child[B], parent[B])`` joint indices: for each joint, the first edge ``(a, b)`` that ends in it."""
    child, parent, seen = [], [], set()
    for a, b in edges:
        if b not in seen:
            seen.add(b)
            child.append(b)
            parent.append(a)
    return np.array(child, np.intp), np.array(parent, np.intp)


def parent_bone_change(xy: np.ndarray, left_xy: np.ndarray, right_xy: np.ndarray, edges) -> np.ndarray:
    """``[n,G,K]``: |log| of each joint's parent-bone length over its mean keyframe length (0 = same).

    A joint's parent bone is the first edge ``(a, b)`` that ends in it (:func:`parent_bones`); joints
    without one get 0.
    """
    out = np.zeros(xy.shape[:3])
    child, parent = parent_bones(edges)
    if len(child) == 0:
        return out
    ref = 0.5 * (np.linalg.norm(left_xy[:, child] - left_xy[:, parent], axis=-1)
                 + np.linalg.norm(right_xy[:, child] - right_xy[:, parent], axis=-1))
    length = np.linalg.norm(xy[:, :, child] - xy[:, :, parent], axis=-1)
    out[:, :, child] = np.abs(np.log((length + 1.0) / (ref[None] + 1.0)))
    return out


def step_residual(fwd: DirectionTrack, bwd: DirectionTrack) -> tuple[np.ndarray, np.ndarray]:
    """Each direction's LK residual per step taken, ``[n,G,K]`` each (grey levels)."""
    steps = (np.arange(fwd.xy.shape[0]) + 1.0)[:, None, None]
    return fwd.residual / steps, bwd.residual / steps[::-1]


def two_sided_direction_features(g: GapFrame, fwd: DirectionTrack, bwd: DirectionTrack, corrected_f: np.ndarray,
                                 corrected_b: np.ndarray, miss_f: np.ndarray, miss_b: np.ndarray) -> np.ndarray:
    """:func:`direction_features` of a two-sided gap (``miss_*[G,K]`` raw drift in px)."""
    h = g.head[:, None]
    res_f, res_b = step_residual(fwd, bwd)
    return direction_features(
        g.s, miss_f / h, miss_b / h, fwd.alive, bwd.alive,
        parent_bone_change(corrected_f, g.left_xy, g.right_xy, g.edges),
        parent_bone_change(corrected_b, g.left_xy, g.right_xy, g.edges),
        np.linalg.norm(corrected_f - g.interp, axis=-1) / h[None], np.linalg.norm(corrected_b - g.interp, axis=-1) / h[None],
        res_f, res_b)


@dataclass
class HandmadeFusion:
    """The hand-made fusion of a two-sided gap and its pieces (``[n,G,K,2]`` px unless said otherwise).

    ``corrected_f``/``corrected_b`` the drift-corrected tracks, ``moved`` interpolation moved by the
    body's reliable motion (the fallback), ``xy`` the fused values (keyframe-side rules applied),
    ``evidence`` their :class:`FlowEvidence`; ``direction_features[n,G,K,F]``, ``split``, ``q_f``,
    ``q_b``, ``w_f``, ``w_b`` ``[n,G,K]`` (before the split) as :func:`fuse_two_sided` computed them.
    """

    corrected_f: np.ndarray
    corrected_b: np.ndarray
    moved: np.ndarray
    xy: np.ndarray
    evidence: FlowEvidence
    direction_features: np.ndarray
    split: np.ndarray
    q_f: np.ndarray
    q_b: np.ndarray
    w_f: np.ndarray
    w_b: np.ndarray
    share: np.ndarray


def handmade_fusion(g: GapFrame, fwd: DirectionTrack, bwd: DirectionTrack) -> HandmadeFusion:
    """Steps 1-5 of the module docstring: the fused values of a two-sided gap and their evidence.

    Joints seen at both keyframes get the fused value; joints seen on one side only the raw track
    from that side; others keep interpolation.
    """
    s = g.s
    corrected_f, corrected_b, drift_f, drift_b = corrected_tracks(g, fwd, bwd)
    miss_f, miss_b = np.linalg.norm(drift_f, axis=-1), np.linalg.norm(drift_b, axis=-1)
    marks = g.marks_occlusion[:, None]
    q_f = direction_reliability(miss_f, fwd.alive, g.head, (g.left_vis == 1) & marks, g.span)
    q_b = direction_reliability(miss_b, bwd.alive, g.head, (g.right_vis == 1) & marks, g.span)
    w_f0, w_b0 = direction_weights(s, q_f, q_b)
    dfeat = two_sided_direction_features(g, fwd, bwd, corrected_f, corrected_b, miss_f, miss_b)
    split = direction_split(dfeat)
    w_f, w_b = (w_f0 + w_b0) * split, (w_f0 + w_b0) * (1 - split)
    tracked = blend(corrected_f, corrected_b, w_f, w_b)
    share = fallback_share(w_f, w_b)
    both = g.side == 2
    moved = g.interp + body_motion(tracked - g.interp, both & (share < RELIABLE_FALLBACK))[:, :, None, :]
    fused = (share[..., None] * moved + (1 - share[..., None]) * tracked).astype(np.float32)
    bad = bone_outliers(fused, moved, g.left_xy, g.right_xy, (g.left_vis > 0) & (g.right_vis > 0), g.edges, g.head)
    fused[bad] = moved[bad]
    share_before = share
    share = np.where(bad, 1.0, share)

    xy = np.where(both[..., None], fused, fuse_one_sided(g, fwd, bwd)[0])
    res_f, res_b = step_residual(fwd, bwd)
    residual = 0.5 * (res_f + res_b)
    displacement = g.right_xy - g.left_xy
    seen = (g.left_vis > 0) & (g.right_vis > 0)
    body = body_motion(displacement[None], seen[None])[0]  # [G,2]
    evidence = FlowEvidence(
        s=s, motion=np.linalg.norm(displacement, axis=-1),
        articulation=np.linalg.norm(displacement - body[:, None, :], axis=-1),
        disagreement=np.linalg.norm(corrected_f - corrected_b, axis=-1), drift=0.5 * (miss_f + miss_b),
        fallback=share, span=g.span, head=g.head, dead=(~fwd.alive).astype(np.int8) + (~bwd.alive),
        residual=residual, bone=parent_bone_change(xy, g.left_xy, g.right_xy, g.edges),
        depth=joint_depth(g.edges, xy.shape[2]), departure=np.linalg.norm(xy - g.interp, axis=-1),
    )
    return HandmadeFusion(corrected_f, corrected_b, moved, xy.astype(np.float32), evidence, dfeat, split,
                          q_f, q_b, w_f0, w_b0, share_before)


#: Longest keyframe interval (frames) the selector was fitted on; longer gaps keep the hand-made
#: fusion (a 100-frame gap of a sliding texture: the selector, extrapolating, was 2.4 px off mid-gap).
SELECTOR_MAX_SPAN = 30
#: What the learned selector chooses between, in the order of its outputs.
SELECTOR_CANDIDATES = ("corrected_forward", "corrected_backward", "moved_interpolation", "interpolation")


def selector_features(g: GapFrame, h: HandmadeFusion) -> np.ndarray:
    """``[n,G,K,36]`` inputs of the learned selector: the direction features (no intercept), the
    hand-made fusion's confidence features, its split, fallback share, both
    reliabilities and both temporal weights, and log(1 + distance / head size) between the
    candidates (forward-backward, forward-moved, backward-moved, moved-interpolation)."""
    hd = g.head[None, :, None]
    dist = [np.linalg.norm(a - b, axis=-1) for a, b in ((h.corrected_f, h.corrected_b), (h.corrected_f, h.moved),
                                                        (h.corrected_b, h.moved), (h.moved, g.interp))]
    cols = [h.direction_features[..., 1:], h.evidence.features(),
            np.stack([h.split, h.share, h.q_f, h.q_b, h.w_f, h.w_b], axis=-1),
            np.stack([np.log1p(d / hd) for d in dist], axis=-1)]
    return np.concatenate([np.asarray(c, np.float64) for c in cols], axis=-1)


def selector_candidates(g: GapFrame, h: HandmadeFusion) -> np.ndarray:
    """``[n,G,K,4,2]``: the values the selector weighs, in the order of :data:`SELECTOR_CANDIDATES`."""
    return np.stack([h.corrected_f, h.corrected_b, h.moved, g.interp], axis=3)


def fuse_two_sided(g: GapFrame, fwd: DirectionTrack, bwd: DirectionTrack) -> tuple[np.ndarray, FlowEvidence]:
    """Values ``xy[n,G,K,2]`` of a gap between two keyframes and the evidence their confidence
    (:func:`~stdpose_core.propagation.confidence.flow_score`) is computed from.

    Joints seen at both keyframes: a learned weighting (:data:`~.flow_weights.SELECTOR`) of the
    drift-corrected forward and backward tracks, the moved interpolation and interpolation, from
    what the hand-made fusion (:func:`handmade_fusion`) knows; the others as the hand-made fusion
    has them. The evidence's ``fallback`` is then the weight of the two interpolations. Gaps longer
    than :data:`SELECTOR_MAX_SPAN` keep the hand-made fusion.
    """
    h = handmade_fusion(g, fwd, bwd)
    net = learned_selector()
    if net is None or g.span > SELECTOR_MAX_SPAN:
        return h.xy, h.evidence
    both = g.side == 2
    w = softmax(net(selector_features(g, h)), axis=-1)
    chosen = (w[..., None] * selector_candidates(g, h)).sum(axis=3)
    xy = np.where(both[..., None], chosen, h.xy).astype(np.float32)
    ev = h.evidence
    evidence = replace(ev, fallback=np.where(both, w[..., 2] + w[..., 3], ev.fallback),
                       bone=parent_bone_change(xy, g.left_xy, g.right_xy, g.edges),
                       departure=np.linalg.norm(xy - g.interp, axis=-1))
    return xy, evidence


@lru_cache(maxsize=1)
def learned_selector() -> TinyMLP | None:
    """The shipped selector network (None when :data:`~.flow_weights.SELECTOR` is empty)."""
    return TinyMLP.from_dict(SELECTOR) if SELECTOR else None


def fuse_one_sided(g: GapFrame, fwd: DirectionTrack | None, bwd: DirectionTrack | None) -> tuple[np.ndarray, None]:
    """Values of a gap with one keyframe: the raw track where the joint is seen on that side."""
    xy = g.interp.copy()
    if fwd is not None:
        xy = np.where((g.side == 0)[..., None], fwd.xy, xy)
    if bwd is not None:
        xy = np.where((g.side == 1)[..., None], bwd.xy, xy)
    return xy.astype(np.float32), None
