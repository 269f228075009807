"""Finding a dataset's videos (video files and image folders) and giving each a unique short name."""

from __future__ import annotations

import glob
from pathlib import Path

from stdpose_core.dataset.manifest import WORK_DIR

VIDEO_SUFFIXES = (".mp4", ".avi", ".mov", ".mkv", ".webm", ".m4v", ".mpg", ".mpeg")
IMAGE_SUFFIXES = (".jpg", ".jpeg", ".png", ".bmp")


def is_image_folder(path: Path) -> bool:
    """A folder with at least one image file directly inside (a PoseTrack-style frame folder)."""
    try:
        return path.is_dir() and any(p.suffix.lower() in IMAGE_SUFFIXES for p in path.iterdir() if p.is_file())
    except OSError:
        return False


def _hidden(rel: Path) -> bool:
    return any(part.startswith(".") or part == WORK_DIR for part in rel.parts)


def find_videos(root: Path, patterns: list[str] | None = None) -> list[Path]:
    """Videos under ``root``, sorted: files with a video suffix and image folders.

    ``patterns``: globs relative to ``root`` (``**`` allowed); a match that is a folder counts when it
    holds images. Default: every video file and image folder at any depth, hidden folders left out.
    """
    root = Path(root)
    if patterns:
        found = set()
        for pattern in patterns:
            for m in glob.glob(str(root / pattern), recursive=True):
                p = Path(m)
                if (p.is_file() and p.suffix.lower() in VIDEO_SUFFIXES) or is_image_folder(p):
                    found.add(p)
        return sorted(found)
    found = []
    for p in sorted(root.rglob("*")):
        rel = p.relative_to(root)
        if _hidden(rel):
            continue
        if (p.is_file() and p.suffix.lower() in VIDEO_SUFFIXES) or is_image_folder(p):
            found.append(p)
    return found


def _parts(root: Path, video: Path) -> list[str]:
    rel = Path(video).relative_to(root) if Path(video).is_absolute() == Path(root).is_absolute() else Path(video)
    return list(rel.parts if Path(video).is_dir() or not rel.suffix else rel.with_suffix("").parts)


def short_names(root: Path, videos: list[Path], taken: set[str] = frozenset(), listed: list[Path] = ()) -> list[str]:
    """A unique name per video: its file stem (``match01``), or as many of its last path parts as
    needed joined by ``_`` (``v00_clip`` for ``v00/clip.mp4`` beside ``v01/clip.mp4``), counting the
    videos already ``listed`` too; never one of ``taken`` (a clash gets ``-2``, ``-3``...)."""
    parts = [_parts(root, v) for v in videos]
    every = parts + [_parts(root, v) for v in listed]
    depth = 1
    while depth < max((len(p) for p in every), default=1):
        names = ["_".join(p[-depth:]) for p in every]
        if len(set(names)) == len(names):
            break
        depth += 1
    out, used = [], set(taken)
    for p in parts:
        base = "_".join(p[-depth:]).replace(" ", "_") or "video"
        name, n = base, 1
        while name in used:
            n += 1
            name = f"{base}-{n}"
        used.add(name)
        out.append(name)
    return out
