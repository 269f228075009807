"""PoseTrack multi-person per-joint AP, re-implemented from poseval's ``assignGTmulti``/``computeMetrics``.

Per frame: ``dist[p,g,j] = |pred - gt| / norm[g]`` where both have joint j; ``match = dist <= 0.5``;
``pck[p,g]`` = matched joints / GT joints of g. Each prediction keeps only its best GT (first
maximum); each GT then takes its best remaining prediction (first maximum), none when that is 0.
A paired prediction's joints are TP where matched; all joints of unpaired predictions are FP.
Per joint, (score, TP) pairs are pooled over frames in frame order and AP is :func:`voc_ap` x 100.

A joint with no GT anywhere gets NaN here; :func:`official_ap` turns that into poseval's figure
(0, averaged into the mean), which :func:`~stdpose_core.eval.evaluate` reports by default.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from stdpose_core.eval.ap import voc_ap
from stdpose_core.eval.frame_people import FramePeople

MATCH_THRESHOLD = 0.5


@dataclass
class FrameMatch:
    """``pred_to_gt[P]`` (-1 = unpaired), ``dist[P,G,J]`` in normaliser units (inf = not both there)."""

    pred_to_gt: np.ndarray
    dist: np.ndarray


def match_frame(fp: FramePeople, threshold: float = MATCH_THRESHOLD) -> FrameMatch:
    """Pair predicted and GT people of one frame as poseval does."""
    p, g = len(fp.pr_ids), len(fp.gt_ids)
    pred_to_gt = np.full(p, -1, np.int64)
    if p == 0 or g == 0:
        return FrameMatch(pred_to_gt, np.full((p, g, fp.gt_has.shape[1] if g else fp.pr_has.shape[1]), np.inf))
    both = fp.pr_has[:, None, :] & fp.gt_has[None, :, :]
    with np.errstate(divide="ignore", invalid="ignore"):
        d = np.linalg.norm(fp.pr_xy[:, None] - fp.gt_xy[None], axis=-1) / fp.norm[None, :, None]
    dist = np.where(both, d, np.inf)
    match = dist <= threshold
    n_gt = fp.gt_has.sum(axis=1)
    pck = match.sum(axis=2).astype(np.float64)
    pck = np.where(n_gt[None] > 0, pck / np.maximum(n_gt[None], 1), pck)
    best_gt = np.argmax(pck, axis=1)
    keep = np.zeros_like(pck)
    keep[np.arange(p), best_gt] = pck[np.arange(p), best_gt]
    gt_to_pred = np.argmax(keep, axis=0)
    gt_to_pred[keep.max(axis=0) == 0] = -1
    for gi, pi in enumerate(gt_to_pred):
        if pi >= 0:
            pred_to_gt[pi] = gi
    return FrameMatch(pred_to_gt, dist)


@dataclass
class APResult:
    """Per evaluated joint (``joints[J]`` GT skeleton indices): ``ap[J]`` x100, ``num_gt[J]``,
    ``num_pred[J]``; ``matches`` per frame (same order as the frames given)."""

    joints: np.ndarray
    ap: np.ndarray
    num_gt: np.ndarray
    num_pred: np.ndarray
    matches: list[FrameMatch]


def posetrack_ap(frames: list[FramePeople], joints: np.ndarray, threshold: float = MATCH_THRESHOLD) -> APResult:
    """Per-joint AP over the aligned frames (see module docstring)."""
    nj = len(joints)
    scores: list[list[np.ndarray]] = [[] for _ in range(nj)]
    labels: list[list[np.ndarray]] = [[] for _ in range(nj)]
    num_gt = np.zeros(nj, np.int64)
    matches = []
    for fp in frames:
        m = match_frame(fp, threshold)
        matches.append(m)
        num_gt += fp.gt_has.sum(axis=0)
        for pi in range(len(fp.pr_ids)):
            gi = m.pred_to_gt[pi]
            tp = (m.dist[pi, gi] <= threshold) if gi >= 0 else np.zeros(nj, bool)
            has = fp.pr_has[pi]
            for j in np.flatnonzero(has):
                scores[j].append(fp.pr_score[pi, j])
                labels[j].append(tp[j])
    ap = np.array([100.0 * voc_ap(np.array(scores[j], np.float64), np.array(labels[j], bool), int(num_gt[j])) for j in range(nj)])
    num_pred = np.array([len(s) for s in scores], np.int64)
    return APResult(joints, ap, num_gt, num_pred, matches)


def official_ap(result: APResult) -> np.ndarray:
    """Per-joint AP as poseval reports it: a joint never labelled in the GT scores 0 (poseval's
    ``apAll`` starts at zeros and stays so without predictions) and is averaged into the total.

    Where such a joint is predicted, poseval divides by zero GT (recall 0/0) and prints NaN for
    the joint and the total; we score it 0 as well (every prediction a false positive), so the
    total stays a number.
    """
    return np.where(result.num_gt == 0, 0.0, result.ap)
