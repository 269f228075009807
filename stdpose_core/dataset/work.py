"""One batch job on one video, in whatever process runs it (this one, a pool worker, a Ray worker).

:func:`run_video` takes a picklable :class:`VideoTask` and always returns a :class:`VideoOutcome`
(:func:`video_job` is the same as a job whose steps a serial runner relays):
a failure of this video (unreadable video, another video's project, a project someone else is
writing, no keyframes yet, a bug) becomes one line in the outcome and never an exception, so the
batch goes on with the other videos. The work itself is the core's ops jobs (``propagate_job``,
``detect_job``, ``export_job``), the same the CLI and the GUI run on one project.

Models are built once per process and reused for every video it runs (:data:`_MODELS`).
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from stdpose_core.dataset import locks
from stdpose_core.dataset.job_records import is_done, read_record, write_record
from stdpose_core.errors import InputError, StdposeError
from stdpose_core.progress import Job, Progress, run_to_completion

#: What a batch can do to each video.
JOBS = ("detect", "propagate", "export", "eval")
#: Outcome statuses: ``done`` (ran now), ``skipped`` (done before), ``not ready`` (nothing to do
#: yet, e.g. no keyframes to propagate), ``busy`` (someone else writes the project), ``failed``.
STATUSES = ("done", "skipped", "not ready", "busy", "failed")

#: What each job returns: ``(status, message, summary, edits)`` (edits: the project's edit count
#: the record keeps; None when nothing is recorded).
Result = tuple[str, str, dict, "int | None"]


@dataclass(frozen=True)
class VideoTask:
    """One video for one job. Paths are absolute (a worker may run in another folder)."""

    root: str
    name: str
    video: str
    project: str
    job: str
    params: dict
    force: bool = False
    gt: str | None = None


@dataclass
class VideoOutcome:
    name: str
    status: str
    message: str = ""
    seconds: float = 0.0
    summary: dict = field(default_factory=dict)

    def line(self) -> str:
        """One line for the per-video summary (``name  status  message``)."""
        return f"{self.name}: {self.status}" + (f" — {self.message}" if self.message else "")


# ---- models, built once per process -----------------------------------------------------------------
_MODELS: dict[tuple, object] = {}


def _model(key: tuple, build: Callable[[], object]):
    if key not in _MODELS:
        _MODELS[key] = build()
    return _MODELS[key]


def release_models() -> None:
    """Close the models this process built (detectors hold onnxruntime sessions)."""
    while _MODELS:
        _, model = _MODELS.popitem()
        close = getattr(model, "close", None)
        if close is not None:
            close()


def init_worker(threads: int, nice: int = 0) -> None:
    """Pool/Ray worker start-up: ``threads`` math threads per worker (the workers share the cores);
    ``nice`` > 0 lowers the worker's CPU priority (the editor's window keeps the cores it needs)."""
    if nice > 0 and hasattr(os, "nice"):
        os.nice(nice)
    for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ[var] = str(threads)
    from stdpose_core.openmp import prefer_passive_waiting

    prefer_passive_waiting()
    try:
        import cv2

        cv2.setNumThreads(threads)
    except ImportError:  # pragma: no cover
        pass


# ---- the jobs -----------------------------------------------------------------------------------------
def _check_video(session, task: VideoTask) -> None:
    from stdpose_core.project_ops import video_path

    stored = video_path(session)
    if stored.resolve() != Path(task.video).resolve():
        raise InputError(task.project, f"is a project of {stored}, not of {task.video} (the dataset's video)")


def _open_source(task: VideoTask):
    from stdpose_core.video import open_source

    if not Path(task.video).exists():
        raise InputError(task.video, "the video is missing")
    return open_source(Path(task.video))


def _detect(task: VideoTask) -> Job[Result]:
    from stdpose_core.detection import create_detector
    from stdpose_core.detection.job import frames_to_detect
    from stdpose_core.ops.jobs import detect_job

    p = task.params
    with locks.open_to_write(task.project, command=f"stdpose dataset detect ({task.name})") as s:
        _check_video(s, task)
        if not task.force and is_done(read_record(task.root, task.job, p, task.name), task.job, None):
            return "skipped", "done before", {}, None
        todo = frames_to_detect(s.project, 0, s.project.num_frames, redo=task.force)
        if not len(todo):
            return "done", "every frame was detected before", {"frames": 0}, s.store.edit_count()
        detector = _model(("detect", p.get("weights"), p.get("device", "auto"), p.get("runtime", "auto"), p.get("imgsz", 640)),
                          lambda: create_detector(p.get("weights"), device=p.get("device", "auto"),
                                                  runtime=p.get("runtime", "auto"), imgsz=p.get("imgsz", 640)))
        with _open_source(task) as src:
            edit = yield from detect_job(s.project, src, detector, redo=task.force)
        s.apply(edit)
        people = sum(1 for t in s.project.tracks.values() if t.present().any())
        return "done", f"{len(todo)} frames, {people} people", {"frames": int(len(todo)), "people": people}, s.store.edit_count()


def _propagate(task: VideoTask) -> Job[Result]:
    from stdpose_core.ops.jobs import propagate_job
    from stdpose_core.propagation import get_propagator

    p = task.params
    with locks.open_to_write(task.project, command=f"stdpose dataset propagate ({task.name})") as s:
        _check_video(s, task)
        edits = s.store.edit_count()
        if not task.force and is_done(read_record(task.root, task.job, p, task.name), task.job, edits):
            return "skipped", "done before, not edited since", {}, None
        if not len(s.project.keyframes()):
            return "not ready", "no keyframes yet", {}, None
        opts = {k: p.get(k) for k in ("weights", "device") if p.get(k)}
        prop = _model(("propagate", p.get("method", "auto"), tuple(sorted(opts.items()))),
                      lambda: get_propagator(p.get("method", "auto"), **opts))
        src = _open_source(task) if prop.needs_frames else None  # flow: propagate_job reads a gray twin of it
        try:
            edit = yield from propagate_job(s.project, src, prop)
        finally:
            if src is not None:
                src.close()
        s.apply(edit)
        joints = sum(int(e.joint_mask.sum()) for e in edit.edits if getattr(e, "joint_mask", None) is not None)
        return "done", f"{joints} joints ({prop.name})", {"joints": joints, "method": prop.name}, s.store.edit_count()


def _export(task: VideoTask) -> Job[Result]:
    from stdpose_core.dataset.export import export_one

    with locks.open_to_read(task.project) as s:
        _check_video(s, task)
        edits = s.store.edit_count()
        if not task.force and is_done(read_record(task.root, task.job, task.params, task.name), task.job, edits):
            return "skipped", "exported before, not edited since", {}, None
        summary = yield from export_one(s.project, task)
    return "done", f"{summary['people_written']} people, {summary['frames_written']} frames", summary, edits


def _eval(task: VideoTask) -> Job[Result]:
    from stdpose_core.eval import evaluate, nan_to_none
    from stdpose_core.io import read_annotations

    if not task.gt:
        return "not ready", "no ground truth (give --gt GT_DIR, or a 'gt' file in the dataset)", {}, None
    if not Path(task.gt).is_file():
        return "not ready", f"{task.gt}: ground-truth file not found", {}, None
    with locks.open_to_read(task.project) as s:
        _check_video(s, task)
        edits = s.store.edit_count()
        if not task.force and is_done(read_record(task.root, task.job, task.params, task.name), task.job, edits):
            return "skipped", "scored before, not edited since", {}, None
        yield Progress(0, 1, "scoring")
        result = evaluate(read_annotations(task.gt), s.project)
    keep = {k: result[k] for k in ("map", "pckh05", "pckh02", "mean_px", "frames", "gt_people", "pred_people")}
    keep = nan_to_none(keep)
    fmt = lambda v: "-" if v is None else f"{v:.1f}"  # noqa: E731
    return "done", f"mAP {fmt(keep['map'])}, PCKh@0.5 {fmt(keep['pckh05'])} on {keep['frames']} frames", keep, edits


_RUN = {"detect": _detect, "propagate": _propagate, "export": _export, "eval": _eval}


def video_job(task: VideoTask) -> Job[VideoOutcome]:
    """Run ``task.job`` on one video and record it; never raises (see module docstring)."""
    t0 = time.perf_counter()
    try:
        status, message, summary, edits = yield from _RUN[task.job](task)
        seconds = time.perf_counter() - t0
        if status == "done":
            write_record(task.root, task.job, task.params, task.name, edits, seconds, summary)
    except locks.ProjectBusyError as exc:
        return VideoOutcome(task.name, "busy", str(exc), time.perf_counter() - t0)
    except StdposeError as exc:
        return VideoOutcome(task.name, "failed", str(exc), time.perf_counter() - t0)
    except Exception as exc:  # noqa: BLE001 - one video's failure must not stop the batch
        return VideoOutcome(task.name, "failed", f"{type(exc).__name__}: {exc}", time.perf_counter() - t0)
    return VideoOutcome(task.name, status, message, seconds, summary)


def run_video(task: VideoTask) -> VideoOutcome:
    """:func:`video_job` run to the end (what pool and Ray workers call)."""
    return run_to_completion(video_job(task))
