"""Where every video of a dataset stands: ``stdpose dataset status`` and the dataset view.

Counts come from each project file, read without a lock (a writer may be editing it meanwhile). They
are cached in ``DIR/.stdpose-dataset/status-cache.json`` keyed by the size and modification time of
the project file and its write-ahead log, so a status over hundreds of projects reads only those
that changed; who holds a project's write lock is asked afresh every time.
"""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np

from stdpose_core.data import Project, Source
from stdpose_core.dataset import locks
from stdpose_core.dataset.job_records import finished_jobs
from stdpose_core.dataset.manifest import WORK_DIR, Dataset, VideoEntry, load, work_dir
from stdpose_core.errors import StdposeError

CACHE_FILE = "status-cache.json"
#: Bump when the cached counts change meaning.
CACHE_VERSION = 1


@dataclass
class VideoStatus:
    """One row of ``stdpose dataset status``. Counts are frames unless named otherwise.

    ``propagated``: frames where some joint was filled by a propagator (or interpolated);
    ``posed``: frames where some person has a labelled joint; ``reviewed``: frames a person marked
    reviewed. ``last_edited``: Unix time of the project's last edit (None: never edited).
    ``holder``: who writes the project now (None: nobody). ``problem``: why the row could not be
    counted (counts are then None). ``jobs``: batch job → when it last finished on this video.
    """

    name: str
    state: str
    assignee: str
    video: str
    project: str
    frames: int | None = None
    people: int | None = None
    keyframes: int | None = None
    propagated: int | None = None
    posed: int | None = None
    reviewed: int | None = None
    edits: int | None = None
    last_edited: float | None = None
    holder: str | None = None
    problem: str | None = None
    jobs: dict[str, float] = field(default_factory=dict)

    def fraction(self, what: str) -> float:
        """``what`` (posed, propagated, reviewed) as a fraction of the frames (0 when unknown)."""
        value = getattr(self, what)
        return value / self.frames if value is not None and self.frames else 0.0

    def to_dict(self) -> dict:
        return asdict(self)


def ago(t: float | None, now: float | None = None) -> str:
    """``t`` (Unix time) as people say it: ``never``, ``just now``, ``5 min ago``, ``3 h ago``, ``2 d ago``."""
    import time

    if t is None:
        return "never"
    s = (time.time() if now is None else now) - t
    for unit, size in (("d", 86400), ("h", 3600), ("min", 60)):
        if s >= size:
            return f"{s / size:.0f} {unit} ago"
    return "just now"


def project_counts(project: Project) -> dict:
    """Frames, people, keyframes and the frames posed / propagated / reviewed of ``project``."""
    nf = project.num_frames
    posed, propagated, reviewed = (np.zeros(nf, bool) for _ in range(3))
    machine_filled = np.array([Source.PROPAGATED, Source.INTERPOLATED], np.uint8)
    for t in project.tracks.values():
        labelled = t.vis > 0
        posed |= labelled.any(axis=1)
        propagated |= (labelled & np.isin(t.source, machine_filled)).any(axis=1)
        reviewed |= t.reviewed & t.present()
    return {"frames": int(nf), "people": len(project.tracks), "keyframes": int(len(project.keyframes())),
            "posed": int(posed.sum()), "propagated": int(propagated.sum()), "reviewed": int(reviewed.sum())}


def _stat_key(project: Path) -> list | None:
    try:
        st = project.stat()
    except OSError:
        return None
    key = [st.st_size, st.st_mtime_ns]
    try:
        wal = os.stat(f"{project}-wal")
        key += [wal.st_size, wal.st_mtime_ns]
    except OSError:
        key += [None, None]
    return key


def _read_cache(root: Path) -> dict:
    try:
        data = json.loads(Path(root, WORK_DIR, CACHE_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    if not isinstance(data, dict) or data.get("version") != CACHE_VERSION or not isinstance(data.get("projects"), dict):
        return {}
    return data["projects"]


def _write_cache(root: Path, projects: dict) -> None:
    from stdpose_core.io.atomic import atomic_write_bytes

    try:
        atomic_write_bytes(work_dir(root) / CACHE_FILE, json.dumps({"version": CACHE_VERSION, "projects": projects}).encode())
    except OSError:
        pass  # a read-only share: status still works, only slower


def count_project(entry: VideoEntry, root: Path) -> dict:
    """The counts of one entry's project (``project_counts`` + ``edits``, ``last_edited``), or
    ``{"problem": ...}`` naming what is wrong (missing video or project, another video's project,
    a damaged file)."""
    from stdpose_core.project_ops import video_path

    project_path, video = entry.project_path(root), entry.video_path(root)
    if not project_path.is_file():
        return {"problem": f"{project_path}: no project file (run `stdpose dataset init {root}` again)"}
    try:
        with locks.open_to_read(project_path) as s:
            counts = project_counts(s.project)
            counts["edits"] = s.store.edit_count()
            counts["last_edited"] = s.store.last_edit_time()
            stored = video_path(s)
    except StdposeError as exc:
        return {"problem": str(exc)}
    if stored.resolve() != video.resolve():
        counts["problem"] = f"{project_path}: is a project of {stored}, not of {video}"
    elif not video.exists():
        counts["problem"] = f"{video}: the video is missing"
    return counts


def video_status(entry: VideoEntry, root: Path, counts: dict) -> VideoStatus:
    keys = ("frames", "people", "keyframes", "propagated", "posed", "reviewed", "edits", "last_edited", "problem")
    return VideoStatus(name=entry.name, state=entry.state, assignee=entry.assignee, video=entry.video,
                       project=entry.project, holder=locks.holder(entry.project_path(root)),
                       jobs=finished_jobs(root, entry.name), **{k: counts.get(k) for k in keys})


def dataset_status(root: str | Path, dataset: Dataset | None = None, use_cache: bool = True) -> tuple[list[VideoStatus], list[str]]:
    """Every valid entry's :class:`VideoStatus` (file order) and the dataset file's problems."""
    root = Path(root)
    dataset = dataset or load(root)
    cache = _read_cache(root) if use_cache else {}
    fresh, rows = {}, []
    for entry in dataset.entries:
        key = _stat_key(entry.project_path(root))
        hit = cache.get(entry.project)
        if hit is not None and key is not None and hit.get("key") == key and hit.get("video") == entry.video:
            counts = hit["counts"]
        else:
            counts = count_project(entry, root)
        if key is not None:
            fresh[entry.project] = {"key": key, "video": entry.video, "counts": counts}
        rows.append(video_status(entry, root, counts))
    if use_cache and fresh != {k: cache.get(k) for k in fresh}:
        _write_cache(root, fresh)
    return rows, dataset.problems
