"""Which machine-made joints a person should check first (pure numpy, no Qt).

A *review item* is one (frame, track, joint) whose value a machine wrote (propagated, interpolated
or detected), on a frame the person has not marked reviewed, that looks risky:

* ``LOW_CONFIDENCE``: its score is below the threshold — except for APPROXIMATED joints (pre-labels
  a skeleton conversion derived, e.g. head_bottom from the shoulders): their scores say how often such
  a derivation is right (:data:`stdpose_core.skeleton.APPROXIMATION_TRUST`), which is known in
  advance and the same on every frame, so they are marked "approximated" in the editor instead of
  filling the queue; the other reasons still apply to them;
* ``FLIP``: a left/right pair is mirrored compared with the previous frame (the vector from the left
  to the right joint turned by more than 90 degrees) — the classic propagation failure;
* ``BONE_JUMP``: a bone touching the joint changed length by more than ``bone_jump`` of the person's
  size from the previous frame (a joint jumped to another limb or person);
* ``PRELABEL``: the joint is farther than ``prelabel_tol`` of the person's size from the detector's
  pre-label of the same joint (when pre-labels are given).

Risk in [0, 1] combines the reasons as a noisy-or: ``1 - prod(1 - r_i)`` with ``r`` = ``1 - score``
for confidence and the reason's strength otherwise, so several weak warnings add up. Coordinates are
pixels (0-based, x right, y down).
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np

from stdpose_core.data import MACHINE_SOURCES, Project, Source, Track
from stdpose_core.skeleton import Skeleton

LOW_CONFIDENCE, FLIP, BONE_JUMP, PRELABEL = 1, 2, 4, 8
REASON_NAMES = {LOW_CONFIDENCE: "low confidence", FLIP: "left/right flip", BONE_JUMP: "bone jump", PRELABEL: "differs from detector"}
#: The same reasons in a word (narrow table columns; the full names go in tooltips).
REASON_SHORT = {LOW_CONFIDENCE: "low", FLIP: "flip", BONE_JUMP: "bone", PRELABEL: "≠ det."}
MACHINE = np.array(MACHINE_SOURCES, np.uint8)

#: Strength of a flip / bone-jump / pre-label warning in the risk (before scaling by size).
FLIP_RISK = 0.8


@dataclass(frozen=True)
class ReviewQueue:
    """Review items as a struct of arrays (N items), sorted by ``risk`` descending.

    ``frame[N]``, ``track[N]``, ``joint[N]`` int64; ``risk[N]`` float32 in [0, 1]; ``score[N]`` float32
    (the joint's confidence); ``reasons[N]`` uint8 bit mask of LOW_CONFIDENCE | FLIP | BONE_JUMP | PRELABEL.
    """

    frame: np.ndarray
    track: np.ndarray
    joint: np.ndarray
    risk: np.ndarray
    score: np.ndarray
    reasons: np.ndarray

    def __len__(self) -> int:
        return len(self.frame)

    @property
    def frames(self) -> np.ndarray:
        """Sorted distinct frames with at least one item."""
        return np.unique(self.frame)

    @classmethod
    def empty(cls) -> "ReviewQueue":
        z = np.zeros(0, np.int64)
        return cls(z, z, z, np.zeros(0, np.float32), np.zeros(0, np.float32), np.zeros(0, np.uint8))


def reason_text(mask: int, short: bool = False) -> str:
    """``'low confidence, left/right flip'`` (``short``: ``'low, flip'``) for a reasons bit mask."""
    names = REASON_SHORT if short else REASON_NAMES
    return ", ".join(name for bit, name in names.items() if mask & bit)


def doubtful(track: Track, threshold: float) -> np.ndarray:
    """``[F,K]`` bool: machine-made labelled joints whose score is below ``threshold`` and says
    something about this joint (not an APPROXIMATED pre-label's known, constant doubt; see the module
    docstring). The review queue's low-confidence items and the timeline's red frames."""
    machine = np.isin(track.source, MACHINE) & (track.vis > 0)
    return machine & (track.score < threshold) & (track.source != Source.APPROXIMATED)


def person_scale(track: Track) -> np.ndarray:
    """``[F]`` float: the person's size in pixels per frame (box diagonal, else the spread of the
    labelled joints; NaN where neither exists)."""
    box = track.bbox.astype(np.float64)
    diag = np.hypot(box[:, 2] - box[:, 0], box[:, 3] - box[:, 1])
    labelled = track.vis > 0
    xy = np.where(labelled[..., None], track.xy, np.nan).astype(np.float64)
    with warnings.catch_warnings():  # all-NaN frames (nobody there) are expected
        warnings.simplefilter("ignore", RuntimeWarning)
        lo, hi = np.nanmin(xy, axis=1), np.nanmax(xy, axis=1)
    spread = np.hypot(*(hi - lo).T)
    spread[labelled.sum(1) < 2] = np.nan
    return np.where(np.isfinite(diag) & (diag > 0), diag, spread)


def _previous(a: np.ndarray) -> np.ndarray:
    """``a`` shifted one frame later along axis 0 (frame f holds frame f-1; frame 0 gets NaN)."""
    out = np.full_like(a, np.nan, dtype=np.float64)
    out[1:] = a[:-1]
    return out


def flip_strength(track: Track, skeleton: Skeleton) -> np.ndarray:
    """``[F,K]`` float in [0, 1]: how strongly each joint of a left/right pair looks mirrored
    relative to the previous frame (0 where not a pair or not comparable)."""
    out = np.zeros(track.vis.shape, np.float64)
    labelled = track.vis > 0
    scale = person_scale(track)
    for a, b in skeleton.flip_pairs:
        if a in skeleton.unused or b in skeleton.unused:
            continue
        v = (track.xy[:, b] - track.xy[:, a]).astype(np.float64)  # [F,2] left -> right
        ok = labelled[:, a] & labelled[:, b]
        v[~ok] = np.nan
        prev = _previous(v)
        dot = (v * prev).sum(1)
        norm = np.hypot(*v.T) * np.hypot(*prev.T)
        with np.errstate(invalid="ignore", divide="ignore"):
            cos = dot / norm
            # Pairs closer than 5% of the person (side view) flip direction without meaning much.
            big = np.minimum(np.hypot(*v.T), np.hypot(*prev.T)) > 0.05 * scale
        s = np.where(np.isfinite(cos) & big & (cos < 0), np.clip(-cos, 0, 1) * FLIP_RISK + (1 - FLIP_RISK) * 0.5, 0)
        out[:, a] = np.maximum(out[:, a], s)
        out[:, b] = np.maximum(out[:, b], s)
    return out


def bone_jump_strength(track: Track, skeleton: Skeleton, bone_jump: float = 0.15) -> np.ndarray:
    """``[F,K]`` float in [0, 1]: largest frame-to-frame bone-length change at each joint, as a
    fraction of the person's size, mapped to 0 below ``bone_jump`` and rising to 1 at 3x that."""
    out = np.zeros(track.vis.shape, np.float64)
    labelled = track.vis > 0
    scale = person_scale(track)
    for a, b in skeleton.edges:
        length = np.hypot(*(track.xy[:, a] - track.xy[:, b]).astype(np.float64).T)
        length[~(labelled[:, a] & labelled[:, b])] = np.nan
        with np.errstate(invalid="ignore", divide="ignore"):
            rel = np.abs(length - _previous(length)) / scale
            s = np.clip((rel - bone_jump) / (2 * bone_jump), 0, 1)
        s = np.where(np.isfinite(s), s, 0)
        out[:, a] = np.maximum(out[:, a], s)
        out[:, b] = np.maximum(out[:, b], s)
    return out


def prelabel_strength(track: Track, pre_xy: np.ndarray, pre_vis: np.ndarray, tol: float = 0.1) -> np.ndarray:
    """``[F,K]`` float in [0, 1]: distance to the detector pre-label ``pre_xy[F,K,2]`` (where
    ``pre_vis[F,K] > 0``), 0 below ``tol`` of the person's size, 1 at 3x ``tol``."""
    d = np.hypot(*(track.xy.astype(np.float64) - pre_xy).transpose(2, 0, 1))
    with np.errstate(invalid="ignore", divide="ignore"):
        rel = d / person_scale(track)[:, None]
        s = np.clip((rel - tol) / (2 * tol), 0, 1)
    ok = (pre_vis > 0) & (track.vis > 0) & np.isfinite(s)
    return np.where(ok, s, 0)


def joint_risk(
    track: Track,
    skeleton: Skeleton,
    threshold: float,
    prelabel: tuple[np.ndarray, np.ndarray] | None = None,
    bone_jump: float = 0.15,
    prelabel_tol: float = 0.1,
) -> tuple[np.ndarray, np.ndarray]:
    """``(risk[F,K] float32, reasons[F,K] uint8)`` of one track; 0 / 0 on joints that are not
    machine-made, not labelled, or on frames marked reviewed. ``prelabel`` = ``(xy[F,K,2], vis[F,K])``."""
    candidate = np.isin(track.source, MACHINE) & (track.vis > 0) & ~track.reviewed[:, None]
    low = (1.0 - np.clip(track.score, 0, 1)).astype(np.float64)
    parts = [(LOW_CONFIDENCE, np.where(doubtful(track, threshold), low, 0.0), low),
             (FLIP, flip_strength(track, skeleton), None),
             (BONE_JUMP, bone_jump_strength(track, skeleton, bone_jump), None)]
    if prelabel is not None:
        parts.append((PRELABEL, prelabel_strength(track, prelabel[0], prelabel[1], prelabel_tol), None))
    keep = np.ones(track.vis.shape, np.float64)
    reasons = np.zeros(track.vis.shape, np.uint8)
    for bit, flagged, contribution in parts:
        on = flagged > 0
        reasons[on] |= bit
        keep *= 1.0 - (contribution if contribution is not None else flagged)
    risk = np.where(candidate & (reasons > 0), 1.0 - keep, 0.0).astype(np.float32)
    reasons[~candidate] = 0
    return risk, reasons


def review_queue(
    project: Project,
    threshold: float = 0.5,
    prelabels: dict[int, tuple[np.ndarray, np.ndarray]] | None = None,
    frames: tuple[int, int] | None = None,
) -> ReviewQueue:
    """All review items of ``project`` (optionally only frames ``[start, stop)``), riskiest first.

    ``prelabels`` maps track id → detector pre-label ``(xy[F,K,2], vis[F,K])`` of that person.
    Ties are broken by frame, then track, then joint (a stable, readable order).
    """
    cols: list[list[np.ndarray]] = [[], [], [], [], [], []]
    f0, f1 = frames if frames is not None else (0, project.num_frames)
    for tid in sorted(project.tracks):
        t = project.tracks[tid]
        risk, reasons = joint_risk(t, project.skeleton, threshold, (prelabels or {}).get(tid))
        f, k = np.nonzero(reasons[f0:f1] > 0)
        f = f + f0
        for col, v in zip(cols, (f, np.full(len(f), tid), k, risk[f, k], t.score[f, k], reasons[f, k])):
            col.append(v)
    if not cols[0] or not sum(len(c) for c in cols[0]):
        return ReviewQueue.empty()
    frame, track, joint, risk, score, reasons = (np.concatenate(c) for c in cols)
    order = np.lexsort((joint, track, frame, -risk))
    return ReviewQueue(frame[order].astype(np.int64), track[order].astype(np.int64), joint[order].astype(np.int64),
                       risk[order].astype(np.float32), score[order].astype(np.float32), reasons[order].astype(np.uint8))


def frame_confidence(project: Project) -> tuple[np.ndarray, np.ndarray]:
    """``(mean[F], low[F])`` float32 confidence of the machine-made labelled joints per frame (mean
    and minimum over people and joints); NaN on frames without machine-made joints."""
    n = project.num_frames
    total, count = np.zeros(n), np.zeros(n)
    low = np.full(n, np.inf)
    for t in project.tracks.values():
        m = np.isin(t.source, MACHINE) & (t.vis > 0)
        s = np.where(m, t.score, 0).astype(np.float64)
        total += s.sum(1)
        count += m.sum(1)
        low = np.minimum(low, np.where(m, t.score, np.inf).min(1) if t.vis.shape[1] else np.inf)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = np.where(count > 0, total / count, np.nan)
    low = np.where(np.isfinite(low), low, np.nan)
    return mean.astype(np.float32), low.astype(np.float32)
