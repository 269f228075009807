"""Scoring propagated frames with the project's metrics (``stdpose_core.eval``) on chosen frames."""

from __future__ import annotations

import dataclasses

import numpy as np

from stdpose_core.data.project import Project
from stdpose_core.data.track import FRAME_FIELDS, empty_field
from stdpose_core.eval import auroc, evaluate, joint_errors
from stdpose_core.propagation.confidence import ERROR_THRESHOLD


def restrict(project: Project, frames: np.ndarray) -> Project:
    """Copy of ``project`` keeping only ``frames`` (others emptied; ``labeled`` = those frames)."""
    keep = np.zeros(project.num_frames, bool)
    keep[frames] = True
    drop = int((~keep).sum())
    tracks = {}
    for tid, t in project.tracks.items():
        c = t.copy()
        for name in FRAME_FIELDS:
            getattr(c, name)[~keep] = empty_field(name, drop, project.num_joints)
        tracks[tid] = c
    return dataclasses.replace(project, tracks=tracks, labeled=keep.copy(),
                               ignore_regions={f: r for f, r in project.ignore_regions.items() if keep[f]})


def calibration_auroc(gt: Project, pred: Project) -> float:
    """AUROC of ``1 - score`` for 'error > 0.2 x norm' over the predicted GT joints (NaN if one class)."""
    je = joint_errors(gt, pred)
    m = je.valid & np.isfinite(je.err_px)
    return auroc(1.0 - je.score[m], je.relative()[m] > ERROR_THRESHOLD)


def score_frames(gt: Project, pred: Project, frames: np.ndarray) -> dict:
    """``evaluate`` keys (map, pckh05, pckh02, mean_px, norm, table, ...) plus ``auroc``, on ``frames`` only."""
    g, p = restrict(gt, frames), restrict(pred, frames)
    out = dict(evaluate(g, p))
    out["auroc"] = calibration_auroc(g, p)
    return out
