"""Project file figures on a 10,000-frame, 10-person project: create, open, one edit's commit latency,
file size. Targets (issue 2): open < 1 s, commit median < 5 ms.

    .venv/bin/python benchmarks/bench_store.py [--frames 10000] [--persons 10]
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

import numpy as np

from stdpose_core.data import Project, Source, Track, VideoInfo
from stdpose_core.data.edits import MoveKeypoint
from stdpose_core.session import ProjectSession
from stdpose_core.skeleton import POSETRACK18


def build(frames: int, persons: int) -> Project:
    rng = np.random.default_rng(0)
    p = Project(POSETRACK18, VideoInfo("video.mp4", frames, 1920, 1080, 30.0))
    for tid in range(persons):
        t = Track.empty(tid, frames, 17)
        # Smooth trajectories with per-frame jitter, as propagated data looks.
        base = rng.uniform(100, 1800, (1, 17, 2)) + np.cumsum(rng.normal(0, 2, (frames, 1, 2)), axis=0)
        t.xy[:] = base + rng.normal(0, 1, (frames, 17, 2))
        t.vis[:] = 2
        t.score[:] = rng.random((frames, 17))
        t.source[:] = Source.PROPAGATED
        t.source[::7] = Source.MANUAL
        t.bbox[:] = np.concatenate([t.xy.min(1), t.xy.max(1)], axis=1)
        p.tracks[tid] = t
    return p


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--frames", type=int, default=10_000)
    ap.add_argument("--persons", type=int, default=10)
    ap.add_argument("--edits", type=int, default=200)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as d:
        path = Path(d) / "bench.stdpose"
        project = build(args.frames, args.persons)
        t0 = time.perf_counter()
        ProjectSession.create(path, project).close()
        create_s = time.perf_counter() - t0
        opens = []
        for _ in range(3):
            t0 = time.perf_counter()
            s = ProjectSession.open(path)
            opens.append(time.perf_counter() - t0)
            s.close()
        s = ProjectSession.open(path)
        rng = np.random.default_rng(1)
        lat = []
        for _ in range(args.edits):
            tid, f, j = int(rng.integers(args.persons)), int(rng.integers(args.frames)), int(rng.integers(17))
            e = MoveKeypoint(s.project, tid, f, j, tuple(rng.uniform(0, 1000, 2)))
            t0 = time.perf_counter()
            s.apply(e)
            lat.append((time.perf_counter() - t0) * 1000)
        s.close()
        size_mb = path.stat().st_size / 1e6
    lat.sort()
    print(f"project: {args.frames} frames x {args.persons} persons x 17 joints")
    print(f"{'figure':<28}{'value':>12}   target")
    print(f"{'create (s)':<28}{create_s:>12.3f}")
    print(f"{'open (s, median of 3)':<28}{statistics.median(opens):>12.3f}   < 1 s")
    print(f"{'commit one edit p50 (ms)':<28}{statistics.median(lat):>12.2f}   < 5 ms")
    print(f"{'commit one edit p95 (ms)':<28}{lat[int(0.95 * len(lat))]:>12.2f}")
    print(f"{'file size (MB)':<28}{size_mb:>12.1f}")


if __name__ == "__main__":
    main()
