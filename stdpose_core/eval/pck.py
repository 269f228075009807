"""PCK at any threshold, pixel errors and per-joint error arrays, on poseval's person pairing.

GT joint j of GT person g is 'predicted' when g is paired with a prediction (see
:mod:`stdpose_core.eval.poseval`) that has joint j; its error is the pixel distance. PCK@a =
fraction of GT joints predicted within ``a * norm`` (unpredicted joints count as misses).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from stdpose_core.eval.frame_people import FramePeople
from stdpose_core.eval.poseval import FrameMatch


@dataclass
class JointErrors:
    """Errors on every scored GT joint, padded to the most GT people on a frame.

    ``err_px[F,P,K]`` pixels (inf where the GT joint has no paired prediction), ``norm[F,P]`` px,
    ``valid[F,P,K]`` GT joint exists (evaluated joints, outside ignore regions), ``score[F,P,K]``
    confidence of the paired predicted joint (0 where none), ``gt_track[F,P]`` GT track id (-1 pad),
    ``frames[F]`` GT frame indices, ``joints[K]`` GT skeleton joint indices, ``norm_kind``.
    """

    err_px: np.ndarray
    norm: np.ndarray
    valid: np.ndarray
    score: np.ndarray
    gt_track: np.ndarray
    frames: np.ndarray
    joints: np.ndarray
    norm_kind: str

    def __iter__(self):  # ``err, norm, valid = joint_errors(...)`` style unpacking
        return iter((self.err_px, self.norm, self.valid))

    def relative(self) -> np.ndarray:
        """``err_px / norm`` (inf where not predicted)."""
        with np.errstate(divide="ignore", invalid="ignore"):
            return self.err_px / self.norm[..., None]

    def hits(self, threshold: float) -> np.ndarray:
        """``[V]`` bool over the valid GT joints (in ``valid``'s order): predicted within ``threshold * norm``."""
        return self.relative()[self.valid] <= threshold

    def pck(self, threshold: float) -> float:
        """Percentage of valid GT joints predicted within ``threshold * norm`` (NaN if none)."""
        n = int(self.valid.sum())
        return float(100.0 * self.hits(threshold).sum() / n) if n else float("nan")

    def pck_per_joint(self, threshold: float) -> np.ndarray:
        """``[K]`` PCK per joint (NaN where no GT)."""
        ok = (self.relative() <= threshold) & self.valid
        n = self.valid.sum(axis=(0, 1))
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.where(n > 0, 100.0 * ok.sum(axis=(0, 1)) / np.maximum(n, 1), np.nan)

    def mean_px(self) -> float:
        """Mean pixel error over GT joints that have a paired predicted joint (NaN if none)."""
        e = self.err_px[self.valid & np.isfinite(self.err_px)]
        return float(e.mean()) if len(e) else float("nan")

    def predicted_fraction(self) -> float:
        n = int(self.valid.sum())
        return float((self.valid & np.isfinite(self.err_px)).sum() / n) if n else float("nan")


def errors_from_matches(frames: list[FramePeople], matches: list[FrameMatch], joints: np.ndarray, norm_kind: str) -> JointErrors:
    nf, k = len(frames), len(joints)
    p = max((len(fp.gt_ids) for fp in frames), default=0)
    err = np.full((nf, p, k), np.inf)
    norm = np.full((nf, p), np.nan)
    valid = np.zeros((nf, p, k), bool)
    score = np.zeros((nf, p, k))
    ids = np.full((nf, p), -1, np.int64)
    for i, (fp, m) in enumerate(zip(frames, matches)):
        g = len(fp.gt_ids)
        valid[i, :g] = fp.gt_has
        norm[i, :g] = fp.norm
        ids[i, :g] = fp.gt_ids
        for pi, gi in enumerate(m.pred_to_gt):
            if gi < 0:
                continue
            both = fp.pr_has[pi] & fp.gt_has[gi]
            d = np.linalg.norm(fp.pr_xy[pi] - fp.gt_xy[gi], axis=-1)
            err[i, gi] = np.where(both, d, np.inf)
            score[i, gi] = np.where(both, fp.pr_score[pi], 0.0)
    return JointErrors(err, norm, valid, score, ids, np.array([fp.frame for fp in frames], np.int64), joints, norm_kind)


def auroc(scores: np.ndarray, labels: np.ndarray) -> float:
    """Area under the ROC curve of ``scores`` for binary ``labels`` (ties count half; the
    Mann-Whitney statistic). NaN when one class is absent."""
    s = np.asarray(scores, np.float64).ravel()
    y = np.asarray(labels).ravel().astype(bool)
    npos, nneg = int(y.sum()), int((~y).sum())
    if npos == 0 or nneg == 0:
        return float("nan")
    order = np.argsort(s, kind="mergesort")
    ranks = np.empty(len(s))
    sorted_s = s[order]
    # average ranks over ties
    starts = np.r_[0, np.flatnonzero(np.diff(sorted_s)) + 1]
    ends = np.r_[starts[1:], len(s)]
    avg = (starts + ends + 1) / 2.0
    ranks[order] = np.repeat(avg, ends - starts)
    return float((ranks[y].sum() - npos * (npos + 1) / 2.0) / (npos * nneg))
