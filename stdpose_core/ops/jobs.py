"""One job per long operation, run the same way by the CLI and the GUI: propagate, detect, export.

A job is a generator (``yield Progress`` … ``return result``, :mod:`stdpose_core.progress`) over a
project and the frame source the caller already has open: the CLI opens one per command, the GUI
passes its frame loader's (one index, one decoder pool, one cache). A job never closes the caller's
source and never changes the project: it returns an Edit (or a summary) that the caller applies —
the CLI at once through its session, the GUI as one undo step after
:func:`~stdpose_core.ops.human_wins.protect_human`. Inputs are checked here, once: a job that reads
images first checks that the source holds every frame of the project (:func:`check_frames`).

A new long operation (e.g. per-video adaptation) follows the same pattern: ``<verb>_job(project,
source, …) -> Job[...]`` here (or in a module of its own under ``ops/`` when it is large), model
objects passed ready or as a zero-argument factory the job calls after its first progress step (so a
GUI shows "loading" while a model loads on the worker thread). The CLI command drives it with
:func:`~stdpose_core.progress.run_with_bar`; the GUI with ``window.jobs.run(title, lambda project: …)``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Callable

import numpy as np

from stdpose_core.data import Project, Source
from stdpose_core.data.edits import Compound, Edit, leaves
from stdpose_core.detection.base import PersonDetector
from stdpose_core.detection.job import FrameSourceLike
from stdpose_core.detection.job import detect_job as find_people  # the algorithm; detect_job below is the operation
from stdpose_core.errors import InputError
from stdpose_core.progress import Job, Progress, relay
from stdpose_core.propagation.base import Propagator, require_keyframes

#: Where to propagate: ``[(track_ids | None, (start, stop) | None), ...]`` (None = every track / frame).
Targets = list[tuple[list[int] | None, tuple[int, int] | None]]


def check_frames(source: FrameSourceLike | None, project: Project) -> None:
    """InputError unless ``source`` holds every frame of ``project``: image names first (folders), then the count."""
    where = getattr(source, "path", None) or project.video.path
    if source is None:
        raise InputError(where, "the video is not open (it could not be read); this needs its frames")
    names, have = project.video.frame_names, getattr(source, "frame_names", None)
    if names and have is not None and list(have) != list(names):
        present = set(have)
        missing = [n for n in names if n not in present]
        if missing:
            raise InputError(where, f"image {missing[0]} missing ({len(missing)} of {len(names)} frames missing)")
    if len(source) < project.num_frames:
        raise InputError(where, f"has {len(source)} frames, the project {project.num_frames}")


def propagate_job(project: Project, source: FrameSourceLike | None, propagator: Propagator | Callable[[], Propagator],
                  targets: Targets | None = None, label: str | None = None) -> Job[Compound]:
    """Propagate the keyframes into the gaps of ``targets`` (default: every gap of every person).

    ``propagator``: a :class:`Propagator`, or a function building one (called after the first progress
    step). Every method but ``interp`` reads images: ``source`` must then hold every frame of the
    project. Returns one Compound edit (one undo step) labelled ``label`` (default "propagate (method)").
    Raises StdposeError when the project has no keyframe, InputError when frames are missing.
    """
    require_keyframes(project)
    yield Progress(0, 0, "preparing propagation")
    prop = propagator if isinstance(propagator, Propagator) else propagator()
    if prop.needs_frames:
        check_frames(source, project)
    else:
        source = None
    own = gray_twin(source) if prop.needs_frames and prop.frame_pixels == "gray" else None
    targets = targets or [(None, None)]
    parts: list[Edit] = []
    try:
        for i, (track_ids, frames) in enumerate(targets):
            if frames is not None and frames[1] <= frames[0]:
                continue
            suffix = f" ({i + 1}/{len(targets)})" if len(targets) > 1 else ""
            edit = yield from relay(prop.run(project, source if own is None else own, track_ids, frames),
                                    lambda p, s=suffix: Progress(p.done, p.total, f"{p.message}{s}"))
            parts.extend(leaves(edit))
    finally:
        if own is not None:
            own.close()
    return Compound(parts, label=label or f"propagate ({prop.name})")


def gray_twin(source: FrameSourceLike | None):
    """A gray source of the same video for a job whose method reads gray only, when ``source`` makes
    RGB frames (the GUI's display source, a dataset batch's; ``stdpose propagate`` opens its video
    gray already): the video's luma plane then serves the job, read ahead, no RGB frame is made and
    the annotator's frames stay in ``source``'s cache (docs/adr/0022). Its cache gets a quarter of
    ``source``'s budget (at most a job's): room to decode ahead, so a job stays within 1.25x the
    user's cache setting. None when ``source`` is gray already, cannot be reopened (frames in memory)
    or fails to reopen."""
    from stdpose_core.video import JOB_CACHE_BYTES

    if getattr(source, "pixels", None) != "rgb" or not hasattr(source, "reopened"):
        return None
    try:
        return source.reopened("gray", min(JOB_CACHE_BYTES, source.cache.max_bytes // 4))
    except (InputError, OSError):  # e.g. the file went away since it was opened: read it as it is
        return None


def detect_job(project: Project, source: FrameSourceLike | None, detector: PersonDetector | Callable[[], PersonDetector],
               start: int = 0, stop: int | None = None, redo: bool = False, config=None) -> Job[Edit]:
    """People detection (boxes, track ids, pose pre-labels) on frames ``[start, stop)``: see
    :func:`stdpose_core.detection.detect_job` for what is written.

    ``detector``: a :class:`PersonDetector` (the caller closes it), or a function building one (built
    after the first progress step and closed when the job ends). Returns one Compound edit.
    """
    check_frames(source, project)
    if isinstance(detector, PersonDetector):
        return (yield from find_people(project, source, detector, start, stop, redo, config))
    yield Progress(0, 0, "loading the person detector")
    built = detector()
    try:
        return (yield from find_people(project, source, built, start, stop, redo, config))
    finally:
        built.close()


def export_job(project: Project, path: Path, fmt: str, only_reviewed: bool = False) -> Job[dict]:
    """Write an export file (atomic, read back and checked by :func:`stdpose_core.io.write_annotations`).

    Returns a summary: :func:`stdpose_core.project_ops.summarize` of what the file holds, with
    ``joints_by_source`` counted from the project's sources of the written joints (a COCO view converts
    the skeleton and loses them), plus ``path``, ``format``, ``only_reviewed``, ``frames_written`` and
    ``people_written``.
    """
    from stdpose_core.io import write_annotations
    from stdpose_core.project_ops import summarize

    yield Progress(0, 1, f"writing {fmt}")
    view = write_annotations(project, path, fmt, only_reviewed=only_reviewed)
    summary = summarize(view)
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


def yolo_pose_export_job(project: Project, out: Path, images: Path, only_reviewed: bool = False,
                         val_every: int = 0) -> Job[dict]:
    """Write a YOLO-pose dataset folder (ultralytics ``yolo pose train data=OUT/data.yaml``) of ``project``.

    ``images``: the project's video file or image folder (frames become JPEG files, images are linked).
    ``out`` must be new or an empty folder; it appears whole or not at all
    (:func:`stdpose_core.io.write_yolo_pose`). Returns its counts (``images``, ``train``, ``val``,
    ``people``, ``joints_outside_image``) plus ``output``, ``format`` and ``only_reviewed``.
    """
    from stdpose_core.io import write_yolo_pose

    yield Progress(0, 1, "writing yolo-pose")
    counts = write_yolo_pose(project, out, images, only_reviewed=only_reviewed, val_every=val_every)
    yield Progress(1, 1, "written")
    return {**counts, "output": str(out), "format": "yolo-pose", "only_reviewed": only_reviewed}
