"""Per-joint errors of a prediction against ground truth, and a small stand-in for ``stdpose_core.eval``.

Tracks are paired by id (propagation keeps ids). :func:`evaluate` uses ``stdpose_core.eval.evaluate``
when that package provides it and falls back to :func:`local_evaluate` (same keys) otherwise.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from stdpose_core.data.project import Project
from stdpose_core.propagation.confidence import ERROR_THRESHOLD, auroc

TABLE_GROUPS = {
    "Head": ("nose", "head_bottom", "head_top"),
    "Shoulder": ("left_shoulder", "right_shoulder"),
    "Elbow": ("left_elbow", "right_elbow"),
    "Wrist": ("left_wrist", "right_wrist"),
    "Hip": ("left_hip", "right_hip"),
    "Knee": ("left_knee", "right_knee"),
    "Ankle": ("left_ankle", "right_ankle"),
}


@dataclass
class JointErrors:
    """Flat arrays over GT joints (vis > 0) on the scored frames.

    ``err`` px (inf where nothing was predicted), ``norm`` px (head size, or box size when GT has no
    head boxes), ``score`` predicted confidence (0 where missing), ``joint`` index, ``predicted``
    bool; ``norm_kind`` 'head' or 'box'.
    """

    err: np.ndarray
    norm: np.ndarray
    score: np.ndarray
    joint: np.ndarray
    predicted: np.ndarray
    norm_kind: str

    def calibration_auroc(self) -> float:
        """AUROC of ``1 - score`` for 'error > 0.2 norm' over predicted joints."""
        m = self.predicted
        return auroc(1.0 - self.score[m], self.err[m] > ERROR_THRESHOLD * self.norm[m])


def joint_errors(gt: Project, pred: Project, frames: np.ndarray) -> JointErrors:
    """Errors of ``pred`` on GT joints of ``frames`` (used joints of the skeleton only)."""
    used = gt.skeleton.used_joints
    has_head = all(np.isfinite(t.head_bbox[frames][t.present()[frames]]).all() for t in gt.tracks.values())
    errs, norms, scores, joints, preds = [], [], [], [], []
    for tid, g in gt.tracks.items():
        p = pred.tracks.get(tid)
        gv = g.vis[frames][:, used] > 0
        if not gv.any():
            continue
        gxy = g.xy[frames][:, used]
        if has_head:
            hb = g.head_bbox[frames]
            norm = 0.6 * np.hypot(hb[:, 2] - hb[:, 0], hb[:, 3] - hb[:, 1])
        else:
            pts = np.where((g.vis[frames] > 0)[..., None], g.xy[frames], np.nan)
            with np.errstate(all="ignore"):
                ext = np.nanmax(pts, axis=1) - np.nanmin(pts, axis=1)
            norm = np.nanmax(ext, axis=1)
        norm = np.broadcast_to(norm[:, None], gv.shape)
        if p is None:
            pv = np.zeros_like(gv)
            e = np.full(gv.shape, np.inf)
            sc = np.zeros(gv.shape, np.float32)
        else:
            pv = p.vis[frames][:, used] > 0
            e = np.where(pv, np.linalg.norm(p.xy[frames][:, used] - gxy, axis=-1), np.inf)
            sc = np.where(pv, p.score[frames][:, used], 0)
        errs.append(e[gv])
        norms.append(norm[gv])
        scores.append(sc[gv])
        joints.append(np.broadcast_to(used[None], gv.shape)[gv])
        preds.append(pv[gv])
    cat = (lambda xs, dt: np.concatenate(xs).astype(dt) if xs else np.zeros(0, dt))
    return JointErrors(cat(errs, np.float64), cat(norms, np.float64), cat(scores, np.float32), cat(joints, np.int64),
                       cat(preds, bool), "head" if has_head else "box")


def _ap(score: np.ndarray, tp: np.ndarray, n_gt: int) -> float:
    """VOC all-points AP of detections sorted by score (monotone precision envelope)."""
    if n_gt == 0:
        return float("nan")
    order = np.argsort(-score, kind="mergesort")
    tp = tp[order].astype(np.float64)
    ctp, cfp = np.cumsum(tp), np.cumsum(1 - tp)
    rec = np.r_[0.0, ctp / n_gt, 1.0]
    prec = np.r_[0.0, ctp / np.maximum(ctp + cfp, 1e-12), 0.0]
    for i in range(len(prec) - 2, -1, -1):
        prec[i] = max(prec[i], prec[i + 1])
    idx = np.flatnonzero(rec[1:] != rec[:-1])
    return float(np.sum((rec[idx + 1] - rec[idx]) * prec[idx + 1]))


def local_evaluate(gt: Project, pred: Project, frames: np.ndarray) -> dict:
    """The eval keys (map, pckh05, pckh02, mean_px, norm, table) with tracks paired by id.

    Per joint, every predicted joint on a GT joint is a detection scored by its confidence, a true
    positive when within 0.5 head sizes (poseval's rule for matched people).
    """
    je = joint_errors(gt, pred, frames)
    names = gt.skeleton.joint_names
    rel = je.err / je.norm
    ap = {}
    for k in np.unique(je.joint):
        m = je.joint == k
        ap[names[k]] = 100.0 * _ap(je.score[m & je.predicted], rel[m & je.predicted] <= 0.5, int(m.sum()))
    table = {}
    for row, joints in TABLE_GROUPS.items():
        vals = [ap[j] for j in joints if j in ap]
        table[row] = float(np.mean(vals)) if vals else float("nan")
    table["Mean"] = float(np.nanmean(list(ap.values()))) if ap else float("nan")
    finite = np.isfinite(je.err)
    return {
        "map": table["Mean"],
        "pckh05": float(100 * np.mean(rel <= 0.5)) if len(rel) else float("nan"),
        "pckh02": float(100 * np.mean(rel <= 0.2)) if len(rel) else float("nan"),
        "mean_px": float(je.err[finite].mean()) if finite.any() else float("nan"),
        "norm": je.norm_kind,
        "table": table,
    }


def restrict(project: Project, frames: np.ndarray) -> Project:
    """Copy of ``project`` keeping only ``frames`` (others emptied, labeled = those frames)."""
    from stdpose_core.data.track import FRAME_FIELDS, empty_field

    keep = np.zeros(project.num_frames, bool)
    keep[frames] = True
    tracks = {}
    for tid, t in project.tracks.items():
        c = t.copy()
        for name in FRAME_FIELDS:
            arr = getattr(c, name)
            arr[~keep] = empty_field(name, int((~keep).sum()), project.num_joints)
        tracks[tid] = c
    import dataclasses

    return dataclasses.replace(project, tracks=tracks, labeled=keep.copy(),
                               ignore_regions={f: r for f, r in project.ignore_regions.items() if keep[f]})


def evaluate(gt: Project, pred: Project, frames: np.ndarray) -> dict:
    """Score ``pred`` against ``gt`` on ``frames`` with the project's metrics (or the local stand-in)."""
    try:
        from stdpose_core.eval import evaluate as shared_evaluate
    except ImportError:
        return local_evaluate(gt, pred, frames)
    return shared_evaluate(restrict(gt, frames), restrict(pred, frames))
