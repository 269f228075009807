"""Fit flow's confidence model (``confidence.FLOW_LOGIT``) on the JHMDB ``train`` clips.

    .venv/bin/python benchmarks/calibrate_flow_confidence.py [--limit N] [--intervals 5,7,10,15,20,30]
    .venv/bin/python benchmarks/calibrate_flow_confidence.py --direction --intervals 5,7,15,30

``--direction`` fits ``flow_fusion.DIRECTION_LOGIT`` instead: per joint and frame, whether the
drift-corrected forward track is nearer the truth than the backward one, each row weighted by
the error difference (capped at 1 box-normalised unit); fit it before the confidence model, whose
evidence depends on it.

For every train clip and keyframe interval T, keyframes are kept on frames 0, T, 2T, ... and the last
frame, flow tracks and fuses every two-sided gap exactly as ``stdpose propagate`` does, and each
propagated joint gives one row: the evidence features (``FlowEvidence.features``) and whether its
error exceeds 0.2 of the normaliser the evaluation uses (box-normalised on JHMDB). A logistic
regression (Newton's method, small L2) gives the coefficients to paste into ``confidence.py``. Only
``train`` clips are read; figures on ``val``: benchmarks/bench_propagation.py.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(Path(__file__).parent))

from jhmdb_clips import load_split  # noqa: E402

from stdpose_core.eval import auroc  # noqa: E402
from stdpose_core.eval.frame_people import BOX_NORM_FACTOR  # noqa: E402
from stdpose_core.progress import run_to_completion  # noqa: E402
from stdpose_core.propagation import flow_fusion as fusion  # noqa: E402
from stdpose_core.propagation import get_propagator  # noqa: E402
from stdpose_core.propagation.base import find_gaps, group_gaps  # noqa: E402
from stdpose_core.propagation.confidence import ERROR_THRESHOLD, FLOW_FEATURES  # noqa: E402
from stdpose_core.propagation.evaluation import keep_frames, sparse_project  # noqa: E402


def evidence_rows(gt, src, every: int, prop, direction: bool = False) -> tuple[np.ndarray, np.ndarray]:
    """``(features[N,F], wrong[N])`` of every propagated, labelled joint of one clip at interval ``every``;
    with ``direction``: ``(direction features[N,F], forward error - backward error[N])``."""
    sparse = sparse_project(gt, keep_frames(gt.num_frames, every))
    feats, wrong = [], []
    for group in group_gaps(find_gaps(sparse)):
        g0 = group[0]
        if not g0.two_sided:
            continue
        frame, fwd, bwd = run_to_completion(_as_job(prop.track(sparse, src, group)))
        f, b = fusion.track_over_gap(fwd, g0.length, False), fusion.track_over_gap(bwd, g0.length, True)
        if direction:
            cf, cb, drift_f, drift_b = fusion.corrected_tracks(frame, f, b)
            dfeat = fusion.two_sided_direction_features(frame, f, b, cf, cb, np.linalg.norm(drift_f, axis=-1),
                                                 np.linalg.norm(drift_b, axis=-1))
        else:
            xy, ev = fusion.fuse_two_sided(frame, f, b)
        fr = np.arange(g0.start, g0.stop)
        for gi, gap in enumerate(group):
            t = gt.tracks[gap.track_id]
            box = t.bbox[fr]
            norm = BOX_NORM_FACTOR * np.hypot(box[:, 2] - box[:, 0], box[:, 3] - box[:, 1])
            m = (t.vis[fr] > 0) & (frame.side[:, gi] == 2) & np.isfinite(norm)[:, None]
            if direction:
                ef = np.linalg.norm(cf[:, gi] - t.xy[fr], axis=-1) / norm[:, None]
                eb = np.linalg.norm(cb[:, gi] - t.xy[fr], axis=-1) / norm[:, None]
                feats.append(dfeat[:, gi][m])
                wrong.append((ef - eb)[m])
                continue
            err = np.linalg.norm(xy[:, gi] - t.xy[fr], axis=-1) / norm[:, None]
            feats.append(ev.features()[:, gi][m])
            wrong.append(err[m] > ERROR_THRESHOLD)
    if not feats:
        width = len(fusion.DIRECTION_FEATURES if direction else FLOW_FEATURES)
        return np.zeros((0, width)), np.zeros(0, float if direction else bool)
    return np.concatenate(feats), np.concatenate(wrong)


def _as_job(gen):
    """Wrap a generator that yields ints so run_to_completion can drive it."""
    return (yield from gen)


def fit_logistic(X: np.ndarray, y: np.ndarray, l2: float = 1e-2, iters: int = 30,
                 weight: np.ndarray | None = None) -> np.ndarray:
    """Coefficients ``b`` of P(y) = 1 / (1 + exp(-X b)) by Newton's method with an L2 penalty
    (``weight[N]``: per-row weights, default 1)."""
    b = np.zeros(X.shape[1])
    wt = np.ones(len(y)) if weight is None else weight
    for _ in range(iters):
        p = 1.0 / (1.0 + np.exp(-np.clip(X @ b, -50, 50)))
        grad = X.T @ (wt * (p - y)) + l2 * b
        hess = (X * (wt * p * (1 - p))[:, None]).T @ X + l2 * np.eye(len(b))
        step = np.linalg.solve(hess, grad)
        b -= step
        if np.abs(step).max() < 1e-7:
            break
    return b


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--limit", type=int, default=None, help="use N train clips spread over the list (default all)")
    ap.add_argument("--intervals", default="5,7,10,15,20,30")
    ap.add_argument("--direction", action="store_true", help="fit flow_fusion.DIRECTION_LOGIT instead")
    args = ap.parse_args(argv)
    clips = load_split("train", args.limit)
    if not clips:
        print("no JHMDB data under ../shared/data/jhmdb: nothing to fit")
        return 1
    prop = get_propagator("flow")
    X, y, T = [], [], []
    for every in (int(v) for v in args.intervals.split(",")):
        for gt, src in clips:
            if gt.num_frames <= every + 1:
                continue
            f, w = evidence_rows(gt, src, every, prop, args.direction)
            X.append(f)
            y.append(w)
            T.append(np.full(len(w), every))
    if args.direction:
        X, diff = np.concatenate(X), np.concatenate(y)
        b = fit_logistic(X, (diff < 0).astype(np.float64), l2=1.0, weight=np.minimum(np.abs(diff), 1.0))
        print(f"{len(clips)} train clips, {len(diff)} joints")
        print("DIRECTION_LOGIT = (" + ", ".join(f"{v:.3f}" for v in b) + ")")
        print("features:", ", ".join(fusion.DIRECTION_FEATURES))
        return 0
    X, y, T = np.concatenate(X), np.concatenate(y).astype(np.float64), np.concatenate(T)
    b = fit_logistic(X, y)
    # the model scores P(correct) = 1 - P(wrong): flow_score uses sigmoid(-z) with z = X b
    print(f"{len(clips)} train clips, {len(y)} joints, {100 * y.mean():.1f}% wrong")
    print("FLOW_LOGIT = (" + ", ".join(f"{v:.3f}" for v in b) + ")")
    print("features:", ", ".join(FLOW_FEATURES))
    for every in np.unique(T):
        m = T == every
        score = 1.0 / (1.0 + np.exp(np.clip(X[m] @ b, -50, 50)))
        print(f"  train T={every:>2}: AUROC {auroc(1 - score, y[m] > 0):.3f}  ({m.sum()} joints)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
