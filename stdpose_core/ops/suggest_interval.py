"""Suggest the keyframe interval T for a video from a quick probe (``stdpose suggest-interval``, Jobs → Suggest T).

A few windows of consecutive frames where people are detected (or labelled) on every frame stand in
for ground truth: their poses, whatever their source, become a dense pseudo ground truth, and the
simulated annotator (:mod:`stdpose_core.ops.simulate`, strategy ``app``: the editor's own
re-propagation) labels and fixes them for each candidate T. The T with the least effort is suggested
(the larger T on a tie). Detector poses jitter more than real labels, so the effort figures are a
guide for choosing T, not a measurement.
"""

from __future__ import annotations

import dataclasses

import numpy as np

from stdpose_core.data import FRAME_FIELDS, Project, Source, VideoInfo
from stdpose_core.errors import StdposeError
from stdpose_core.ops.simulate import Effort, simulate_job
from stdpose_core.progress import Job, Progress, relay
from stdpose_core.propagation.base import Propagator, get_propagator

CANDIDATES = (5, 7, 10, 15, 20, 30)


class WindowSource:
    """Frames ``[start, start + n)`` of ``source`` as frames ``0..n-1``."""

    def __init__(self, source, start: int, n: int):
        self.source, self.start, self.n = source, start, n

    def __len__(self) -> int:
        return self.n

    def frame(self, i: int) -> np.ndarray:
        if not 0 <= i < self.n:
            raise IndexError(i)
        return self.source.frame(self.start + i)


def probe_windows(project: Project, window: int, count: int) -> list[tuple[int, int]]:
    """Up to ``count`` windows ``[a, b)`` of ``window`` frames (shorter if the video is) where someone
    is labelled on every frame, taken from the middle of the longest such runs."""
    seen = np.zeros(project.num_frames, bool)
    for t in project.tracks.values():
        seen |= (t.vis > 0).any(axis=1)
    edges = np.flatnonzero(np.diff(np.r_[0, seen.astype(np.int8), 0]))
    runs = sorted(zip(edges[::2], edges[1::2]), key=lambda r: (r[0] - r[1], r[0]))
    n = min(window, project.num_frames)
    out = []
    for a, b in runs:
        a, b = int(a), int(b)
        while b - a >= n and len(out) < count:
            mid = (a + b) // 2
            out.append((mid - n // 2, mid - n // 2 + n))
            b = mid - n // 2  # a long run may hold a second window before the first
        if len(out) >= count:
            break
    return sorted(out)


def pseudo_ground_truth(project: Project, a: int, b: int) -> Project:
    """Frames ``[a, b)`` of ``project`` as a dense ground truth: every labelled joint as MANUAL."""
    tracks = {}
    for tid, t in project.tracks.items():
        c = t.copy()
        sliced = {name: getattr(c, name)[a:b].copy() for name in FRAME_FIELDS}
        if not (sliced["vis"] > 0).any():
            continue
        on = sliced["vis"] > 0
        sliced["source"] = np.where(on, np.uint8(Source.MANUAL), np.uint8(Source.NONE)).astype(np.uint8)
        sliced["score"] = on.astype(np.float32)
        sliced["reviewed"][:] = False
        sliced["model_version"][:] = 0
        tracks[tid] = dataclasses.replace(c, **sliced)
    v = project.video
    names = v.frame_names[a:b] if v.frame_names else None
    return Project(project.skeleton, VideoInfo(v.path, b - a, v.width, v.height, v.fps, names), tracks,
                   project.keyframe_interval)


def suggest_interval_job(project: Project, source, propagator: Propagator | str = "auto",
                         candidates=CANDIDATES, window: int = 60, windows: int = 2) -> Job[dict]:
    """Probe the video and suggest T (see the module docstring).

    Returns ``{"suggested", "method", "windows": [[a, b], ...], "candidates": {T: Effort.as_dict()}}``.
    Raises StdposeError when no window of people on every frame exists (run detection first).
    """
    prop = propagator if isinstance(propagator, Propagator) else get_propagator(propagator)
    spans = probe_windows(project, window, windows)
    if not spans:
        raise StdposeError(f"no {min(window, project.num_frames)} consecutive frames with people on every frame: "
                           "detect people first (stdpose detect, Jobs → Detect people)")
    if prop.needs_frames:
        from stdpose_core.ops.jobs import check_frames

        check_frames(source, project)
    n = spans[0][1] - spans[0][0]
    tried = [int(T) for T in candidates if 2 <= int(T) <= n - 2]
    if not tried:
        raise StdposeError(f"no candidate interval fits a {n}-frame probe window (need 2 <= T <= {n - 2})")
    pooled = {T: Effort("app", T) for T in tried}
    steps = len(tried) * len(spans)
    done = 0
    yield Progress(0, 1000 * steps, "probing")
    for a, b in spans:
        gt = pseudo_ground_truth(project, a, b)
        win = WindowSource(source, a, b - a) if source is not None else None
        for T in tried:
            r = yield from relay(simulate_job(gt, win, T, prop, "app"),
                                 lambda p, d=done, t=T: Progress(int(1000 * (d + p.fraction)), 1000 * steps, f"T = {t}"))
            done += 1
            e = pooled[T]
            for f in ("keyframe_joints", "fixed_joints", "refixed_joints", "all_joints", "repropagations"):
                setattr(e, f, getattr(e, f) + getattr(r, f))
    best = min(tried, key=lambda T: (round(pooled[T].effort, 6), -T))
    return {"suggested": best, "method": prop.name, "windows": [list(s) for s in spans],
            "candidates": {T: pooled[T].as_dict() for T in tried}}


def format_suggestion(result: dict) -> str:
    lines = [f"probe: {len(result['windows'])} window(s) of frames "
             + ", ".join(f"{a}-{b - 1}" for a, b in result["windows"]) + f", method {result['method']}",
             f"{'T':>4}{'effort':>9}"]
    for T, e in result["candidates"].items():
        mark = "  <- suggested" if int(T) == result["suggested"] else ""
        lines.append(f"{T:>4}{100 * e['effort']:>8.1f}%{mark}")
    return "\n".join(lines)
