"""Flow tracking big people from a coarser pyramid level against tracking them in the full frame, on real video.

    .venv/bin/python benchmarks/bench_track_scale.py --project P.stdpose [--project Q.stdpose ...] [--every 7 15]

``flow`` tracks a person from the coarsest pyramid level where its joints still span
``tracking.MIN_TRACK_SIZE`` px (``base_levels``). Real videos with ground truth for big people are
not at hand (JHMDB's people span a median 132 px, and almost all of them stay at level 0), so this
script measures what the rule changes on a project's own video: its poses (e.g. ``stdpose detect``'s
YOLO poses, made per frame and independent of the tracker) are kept every T-th frame as keyframes,
flow fills the rest twice, from the base levels and with ``min_size=0`` (everyone from the full
frame), and the script prints how far the two results are apart and how far each is from the
per-frame poses it did not see (a proxy for accuracy: the detector's own error is common to both).

Make a project from a shared video: ``stdpose new P.stdpose VIDEO`` then ``stdpose detect P.stdpose``.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from stdpose_core.progress import run_to_completion
from stdpose_core.project_ops import video_path
from stdpose_core.propagation import get_propagator
from stdpose_core.propagation.evaluation import keep_frames, sparse_project
from stdpose_core.propagation.tracking import base_levels
from stdpose_core.session import ProjectSession
from stdpose_core.video import open_source

#: The two ways of tracking: name -> flow options.
WAYS = {"base levels": {}, "full frame": {"min_size": 0.0}}


def propagate(gt, video: str, keep: np.ndarray, options: dict):
    """The project ``gt`` with only the ``keep`` frames' poses, filled by flow with ``options``."""
    pred = sparse_project(gt, keep)
    with open_source(video, pixels="gray", prefetch=False) as src:
        edit = run_to_completion(get_propagator("flow", **options).run(pred, src))
    edit.apply(pred)
    return pred


def joint_rows(gt, preds: dict, keep: np.ndarray, levels: int):
    """Per propagated joint: ``(span px, base level, {way: xy[2]}, pose xy[2])`` as arrays."""
    spans, lvls, pose, ways = [], [], [], {w: [] for w in preds}
    for tid, track in gt.tracks.items():
        for f in np.flatnonzero(~keep):
            v = (track.vis[f] > 0) & np.logical_and.reduce([p.tracks[tid].vis[f] > 0 for p in preds.values()])
            if v.sum() < 2:
                continue
            span = float(np.ptp(track.xy[f][v], axis=0).max())
            lvl = int(base_levels(track.xy[f][None], v[None], levels)[0])
            spans += [span] * int(v.sum())
            lvls += [lvl] * int(v.sum())
            pose.append(track.xy[f][v])
            for w, p in preds.items():
                ways[w].append(p.tracks[tid].xy[f][v])
    return (np.array(spans), np.array(lvls, int), {w: np.concatenate(x) for w, x in ways.items()},
            np.concatenate(pose))


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--project", action="append", required=True, type=Path, help="a project with poses on most frames; repeatable")
    ap.add_argument("--every", type=int, nargs="+", default=[7, 15], help="keyframe intervals T")
    args = ap.parse_args(argv)
    levels = get_propagator("flow").tracker.levels
    for path in args.project:
        with ProjectSession.open(path, "read") as s:
            gt, video = s.project, str(video_path(s))
        for every in args.every:
            keep = keep_frames(gt.num_frames, every)
            preds = {w: propagate(gt, video, keep, o) for w, o in WAYS.items()}
            spans, lvls, xy, pose = joint_rows(gt, preds, keep, levels)
            if len(spans) == 0:
                print(f"{path.name}: no propagated joints with poses at T = {every}")
                continue
            apart = np.linalg.norm(xy["base levels"] - xy["full frame"], axis=1)
            share = np.bincount(lvls, minlength=levels) / len(lvls)
            print(f"\n{Path(video).name}, T = {every}: {len(spans)} joints, person span median {np.median(spans):.0f} px, "
                  f"base level 0/1/2: {' / '.join(f'{100 * x:.0f}%' for x in share[:3])}")
            print(f"  apart: median {np.median(apart):.2f} px, p90 {np.percentile(apart, 90):.2f} px "
                  f"({100 * np.percentile(apart / spans, 90):.2f}% of the span); over 0.2 span: {100 * np.mean(apart > 0.2 * spans):.1f}%")
            for w in WAYS:
                err = np.linalg.norm(xy[w] - pose, axis=1)
                print(f"  {w:<12} to the per-frame poses: mean {err.mean():.2f} px, within 0.05 / 0.1 span "
                      f"{100 * np.mean(err <= 0.05 * spans):.1f} / {100 * np.mean(err <= 0.1 * spans):.1f}%")
    return 0


if __name__ == "__main__":
    sys.exit(main())
