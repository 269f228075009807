"""``read_annotations``: any supported annotation file → a validated, self-contained Project."""

from __future__ import annotations

from pathlib import Path

from stdpose_core.data import Project
from stdpose_core.errors import InputError
from stdpose_core.io.coco import keypoint_category, read_coco
from stdpose_core.io.detect import detect_format
from stdpose_core.io.jsonfile import load_json
from stdpose_core.io.posetrack import read_posetrack, video_ids
from stdpose_core.skeleton import POSETRACK18


def read_annotations(path: str | Path, video: str | None = None) -> Project:
    """Read a PoseTrack18, PoseTrack21 or COCO keypoints file (format auto-detected).

    The whole file is parsed and checked before anything is returned, so callers import all or
    nothing. ``video`` picks one ``vid_id`` of a multi-video PoseTrack file (an error lists the
    videos when it is needed and missing). Skeleton: posetrack18 for PoseTrack files, from the
    category's keypoint names for COCO. Raises :class:`InputError` naming the file and the problem.
    The detected format is in ``project.meta["format"]``.
    """
    path = Path(path)
    data = load_json(path)
    fmt = detect_format(data, str(path))
    try:
        if fmt == "coco":
            project = read_coco(data, str(path))
        else:
            if data.get("categories"):  # PoseTrack files are always in the PoseTrack18 layout
                _, skeleton = keypoint_category(data, str(path))
                if skeleton is not POSETRACK18:
                    raise InputError(path, f"PoseTrack file with {skeleton.name} keypoints; expected the PoseTrack18 layout")
            project = read_posetrack(data, str(path), fmt, POSETRACK18, video)
    except InputError:
        raise
    except (TypeError, ValueError, KeyError, AttributeError, OverflowError, IndexError) as e:  # a shape no check above anticipated
        raise InputError(path, f"malformed {fmt} file: {type(e).__name__}: {e}") from None
    check_ids(project, path)
    project.meta["format"] = fmt
    project.meta["source_file"] = str(path)
    return project


#: Track and person ids must stay well inside SQLite's 64-bit integers (an import may add 1 to the largest).
MAX_ID = 2**62


def check_ids(project: Project, path: str | Path) -> None:
    """InputError for a track or person id the project file cannot store (e.g. ``track_id`` 2**70)."""
    for tid, track in project.tracks.items():
        for what, value in (("track id", tid), ("person id", track.person_id)):
            if value is not None and not -MAX_ID < int(value) < MAX_ID:
                raise InputError(path, f"{what} {value} is out of range (ids must be smaller than 2**62 in magnitude)")


def list_videos(path: str | Path) -> list[str]:
    """Video ids in a PoseTrack file (one entry ``''`` for COCO files)."""
    data = load_json(path)
    fmt = detect_format(data, str(path))
    return [""] if fmt == "coco" else video_ids(data)
