"""``read_annotations``: any supported annotation file → a validated, self-contained Project."""

from __future__ import annotations

from pathlib import Path

from stdpose_core.data import Project
from stdpose_core.errors import InputError
from stdpose_core.io.coco import keypoint_category, read_coco
from stdpose_core.io.format_detection import detect_format, sniff_path
from stdpose_core.io.jsonfile import load_json
from stdpose_core.io.posetrack import read_posetrack, video_ids
from stdpose_core.skeleton import POSETRACK18

#: Formats read through sleap-io (the optional extra ``[formats]``).
SLEAP_IO_FORMATS = ("sleap", "dlc", "label-studio")


def read_annotations(path: str | Path, video: str | None = None, reference: Project | None = None) -> Project:
    """Read an annotation file (format auto-detected, see :mod:`stdpose_core.io.format_detection`).

    PoseTrack18/21, COCO keypoints, COCO keypoint results, labelme / X-AnyLabeling JSON (a file or
    a folder of per-image files), and with sleap-io installed SLEAP ``.slp``, DeepLabCut
    CollectedData CSV/H5 and Label Studio JSON. The whole file is parsed and checked before
    anything is returned, so callers import all or nothing. ``video`` picks one video of a
    multi-video file (a PoseTrack ``vid_id``, a SLEAP/DeepLabCut video; an error lists the videos
    when it is needed and missing). ``reference`` (a project or ground truth carrying COCO image
    ids) places a COCO results file's entries on its frames. Skeleton: posetrack18 for PoseTrack
    files, from the file for the others. Raises :class:`InputError` naming the file and the
    problem. The detected format is in ``project.meta["format"]``, what was carried in
    ``project.meta["interop"]`` (:mod:`stdpose_core.io.carry`).
    """
    path = Path(path)
    fmt = sniff_path(path)
    data = None
    if fmt == "json":
        data = load_json(path)
        fmt = detect_format(data, str(path))
    try:
        project = _read(path, fmt, data, video, reference)
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


def _read(path: Path, fmt: str, data, video: str | None, reference: Project | None) -> Project:
    if fmt == "coco":
        return read_coco(data, str(path))
    if fmt in ("posetrack18", "posetrack21"):
        if data.get("categories"):  # PoseTrack files are always in the PoseTrack18 layout
            _, skeleton = keypoint_category(data, str(path))
            if skeleton is not POSETRACK18:
                raise InputError(path, f"PoseTrack file with {skeleton.name} keypoints; expected the PoseTrack18 layout")
        return read_posetrack(data, str(path), fmt, POSETRACK18, video)
    if fmt == "coco-results":
        from stdpose_core.io.results import read_results

        return read_results(data, str(path), reference=reference)
    if fmt == "labelme":
        from stdpose_core.io.labelme import read_labelme

        return read_labelme(path, data)
    if fmt in SLEAP_IO_FORMATS:
        from stdpose_core.io.sleap_formats import read_with_sleap_io

        return read_with_sleap_io(path, fmt, video)
    raise InputError(path, f"no reader for format {fmt}")


def list_videos(path: str | Path) -> list[str]:
    """Video ids in a PoseTrack file (one entry ``''`` for single-video formats)."""
    path = Path(path)
    fmt = sniff_path(path)
    if fmt in SLEAP_IO_FORMATS:
        from stdpose_core.io.sleap_formats import sleap_io_videos

        return sleap_io_videos(path, fmt)
    if fmt != "json":
        return [""]
    data = load_json(path)
    fmt = detect_format(data, str(path))
    return video_ids(data) if fmt in ("posetrack18", "posetrack21") else [""]
