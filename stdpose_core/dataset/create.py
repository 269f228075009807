"""``stdpose dataset init``: list a folder's videos in a dataset file, with a project for each."""

from __future__ import annotations

import os
from pathlib import Path

from stdpose_core.dataset.discover import find_videos, short_names
from stdpose_core.dataset.manifest import FORMAT_VERSION, Change, dataset_file, file_lock, load, update, write_document
from stdpose_core.errors import StdposeError
from stdpose_core.progress import Job, Progress


def relative(root: Path, path: Path) -> str:
    """``path`` as the dataset file writes it: relative to ``root`` with / separators when it can be."""
    try:
        return Path(os.path.relpath(Path(path).resolve(), Path(root).resolve())).as_posix()
    except ValueError:  # another drive on Windows
        return str(Path(path).resolve())


def project_video_problem(project_path: Path, video: Path) -> str | None:
    """Why the project at ``project_path`` is not a project of ``video`` (None when it is)."""
    from stdpose_core.dataset.locks import open_to_read
    from stdpose_core.project_ops import video_path

    with open_to_read(project_path) as s:
        stored = video_path(s)
    if stored.resolve() != Path(video).resolve():
        return f"{project_path}: is a project of {stored}, not of {video}"
    return None


def init_dataset(root: str | Path, patterns: list[str] | None = None, skeleton: str = "posetrack18",
                 keyframe_interval: int = 7) -> Job[dict]:
    """Create (or extend) the dataset file of ``root`` with the videos found there (see
    :func:`~stdpose_core.dataset.discover.find_videos`), creating each video's project beside it
    (``VIDEO.stdpose``, as the editor does) unless one is there already.

    Running it again adds only new videos; states and assignees in the file are kept. A video that
    cannot be read, or an existing project of another video, is one line in ``problems`` and is not
    listed. Returns ``{"dataset", "added", "already", "problems"}``.
    """
    from stdpose_core.project_ops import create_project, default_project_path

    root = Path(root)
    if not root.is_dir():
        raise StdposeError(f"{root}: no such folder")
    with file_lock(root):
        if not dataset_file(root).exists():
            write_document(root, {"stdpose_dataset": FORMAT_VERSION, "videos": []})
    known = load(root)
    listed = {e.video_path(root).resolve() for e in known.entries}
    taken = set(known.names())
    videos = [v for v in find_videos(root, patterns) if v.resolve() not in listed]
    if patterns and not videos and not known.entries:
        raise StdposeError(f"{root}: no video file or image folder matches {', '.join(patterns)}")
    names = short_names(root, videos, taken, [e.video_path(root) for e in known.entries])
    problems, items = list(known.problems), []
    for i, (video, name) in enumerate(zip(videos, names)):
        yield Progress(i, len(videos), f"{name}: opening the video")
        project = default_project_path(video)
        try:
            if project.exists():
                why = project_video_problem(project, video)
                if why:
                    problems.append(f"{why}; left out")
                    continue
            else:
                create_project(project, video, skeleton, keyframe_interval).close()
        except StdposeError as exc:
            msg = str(exc)
            problems.append(f"{msg if str(video) in msg else f'{video}: {msg}'}; left out")
            continue
        except OSError as exc:
            problems.append(f"{video}: cannot be read ({exc}); left out")
            continue
        items.append({"name": name, "video": relative(root, video), "project": relative(root, project),
                      "state": "todo", "assignee": ""})

    def add(c: Change) -> list[str]:
        present = {e.name for e in c.entries} | {str(v.get("name")) for v in c.doc["videos"] if isinstance(v, dict)}
        added = []
        for item in items:
            if item["name"] not in present:  # someone else added it meanwhile
                c.add(item)
                added.append(item["name"])
        return added

    added = update(root, add)
    yield Progress(len(videos), len(videos), "listed")
    return {"dataset": str(dataset_file(root)), "added": added, "already": len(known.entries), "problems": problems}
