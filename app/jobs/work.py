"""The jobs the editor runs in the background, as ``work(project) -> generator`` factories (no Qt).

Each factory captures what the job needs (video path, method, ranges) and returns a function the
:class:`~app.jobs.runner.JobRunner` calls on the worker thread with a project *copy*. Frame sources
are opened inside the job (on the worker thread) and closed when it ends or is cancelled.
"""

from __future__ import annotations

from pathlib import Path
from typing import Callable

import numpy as np

from app.jobs.edits import leaves
from stdpose_core.data import Project, Source
from stdpose_core.data.edits import Compound, Edit
from stdpose_core.progress import Job, Progress

#: Methods a user can pick; 'auto' = STDPose where a model beats flow (the quality gate), else flow.
METHODS = ("auto", "flow", "stdpose", "interp")
Targets = list[tuple[list[int] | None, tuple[int, int] | None]]


def _open_frames(video: Path | None, needed: bool):
    if video is None or not needed:
        return None
    from stdpose_core.video import open_source

    return open_source(video)


def propagate_work(video: Path | None, method: str = "auto", targets: Targets | None = None,
                   options: dict | None = None, label: str | None = None,
                   make: Callable[[], object] | None = None) -> Callable[[Project], Job[Edit]]:
    """Propagation over ``targets`` = ``[(track_ids | None, (start, stop) | None), ...]`` (default:
    everything). Returns one Compound edit (one undo step) labelled ``label``. ``make`` (optional)
    returns the Propagator to use (e.g. a cached one whose model is already loaded)."""
    targets = targets or [(None, None)]

    def work(project: Project) -> Job[Edit]:
        from stdpose_core.propagation import get_propagator

        yield Progress(0, 0, f"preparing {method}")
        prop = make() if make is not None else get_propagator(method, **(options or {}))
        src = _open_frames(video, prop.name != "interp")
        try:
            parts: list[Edit] = []
            for i, (track_ids, frames) in enumerate(targets):
                if frames is not None and frames[1] <= frames[0]:
                    continue
                job = prop.run(project, src, track_ids, frames)
                suffix = f" ({i + 1}/{len(targets)})" if len(targets) > 1 else ""
                while True:
                    try:
                        p = next(job)
                    except StopIteration as stop:
                        parts.extend(leaves(stop.value))
                        break
                    yield Progress(p.done, p.total, f"{p.message}{suffix}")
        finally:
            if src is not None:
                src.close()
        return Compound(parts, label=label or f"propagate ({prop.name})")

    return work


def detect_work(video: Path, make_detector: Callable[[], object], start: int = 0, stop: int | None = None,
                redo: bool = False) -> Callable[[Project], Job[Edit]]:
    """People detection (boxes, ids, pose pre-labels) on frames ``[start, stop)``."""

    def work(project: Project) -> Job[Edit]:
        from stdpose_core.detection import detect_job

        yield Progress(0, 0, "loading the person detector")
        detector = make_detector()
        src = _open_frames(video, True)
        try:
            return (yield from detect_job(project, src, detector, start, stop, redo))
        finally:
            src.close()

    return work


def export_work(path: Path, fmt: str, only_reviewed: bool) -> Callable[[Project], Job[dict]]:
    """Write an export file; returns a summary dict (frames written, people, joints by source, path)."""

    def work(project: Project) -> Job[dict]:
        from stdpose_core.io import write_annotations
        from stdpose_core.project_ops import summarize

        yield Progress(0, 1, f"writing {fmt}")
        view = write_annotations(project, path, fmt, only_reviewed=only_reviewed)
        summary = summarize(view)
        # Sources as in the project (a COCO view converts the skeleton and loses them).
        by = {k: 0 for k in summary["joints_by_source"]}
        for tid, t in view.tracks.items():
            written = t.present() & view.labeled
            src = project.tracks[tid].source[written][project.tracks[tid].vis[written] > 0]
            for code, n in zip(*np.unique(src, return_counts=True)):
                name = Source(int(code)).name.lower()
                if name in by:
                    by[name] += int(n)
        summary["joints_by_source"] = by
        summary.update(path=str(path), format=fmt, only_reviewed=only_reviewed,
                       frames_written=int(view.labeled.sum()), people_written=len(view.tracks))
        yield Progress(1, 1, "written")
        return summary

    return work


def merge_ranges(touches: set[tuple[int, int]], project: Project) -> Targets:
    """Propagation targets for edited keyframes: per track, one frame range spanning the gaps next
    to every touched frame (``stdpose_core.propagation.frames_around``)."""
    from stdpose_core.propagation import frames_around

    spans: dict[int, tuple[int, int]] = {}
    for tid, f in sorted(touches):
        if tid not in project.tracks:
            continue
        a, b = frames_around(project, tid, f)
        if b <= a:
            continue
        old = spans.get(tid)
        spans[tid] = (a, b) if old is None else (min(old[0], a), max(old[1], b))
    return [([tid], span) for tid, span in sorted(spans.items())]
