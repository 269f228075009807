"""``write_annotations``: a project (or its reviewed part) → PoseTrack18/21 or COCO JSON, atomically,
checked by reading the written file back before it replaces the target."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import numpy as np

from stdpose_core.data import Project, Track
from stdpose_core.data.track import FRAME_FIELDS, TrackFlag, empty_field
from stdpose_core.errors import StdposeError
from stdpose_core.io.atomic import atomic_write_bytes
from stdpose_core.io.coco import write_coco
from stdpose_core.io.format_detection import FORMATS
from stdpose_core.io.posetrack import write_posetrack, written_convention
from stdpose_core.io.results import write_results
from stdpose_core.skeleton import COCO17, POSETRACK18, Skeleton, convert_keypoints, convertible, get_skeleton

#: JSON formats :func:`write_annotations` writes (YOLO-pose datasets: :mod:`stdpose_core.io.yolo`).
WRITE_FORMATS = FORMATS + ("coco-results",)


def format_skeleton(fmt: str, skeleton: str | None = None, project_skeleton: Skeleton | None = None) -> Skeleton:
    """The keypoint layout a format is written in: PoseTrack18 for PoseTrack; for COCO (and COCO
    results) COCO-17 for a PoseTrack18 project, else the project's own layout (``skeleton``
    overrides it, e.g. a COCO-style file in the PoseTrack18 layout)."""
    if fmt not in WRITE_FORMATS:
        raise StdposeError(f"unknown annotation format {fmt!r}; choose one of {', '.join(WRITE_FORMATS)}")
    if fmt in ("coco", "coco-results"):
        if skeleton:
            return get_skeleton(skeleton)
        if project_skeleton is not None and project_skeleton is not POSETRACK18:
            return project_skeleton
        return COCO17
    if skeleton and skeleton != POSETRACK18.name:
        raise StdposeError(f"{fmt} files always use the posetrack18 keypoint layout, not {skeleton}")
    if project_skeleton is not None and not convertible(project_skeleton, POSETRACK18):
        raise StdposeError(f"{fmt} files use the posetrack18 keypoint layout; the project's {project_skeleton.name} "
                           f"skeleton ({', '.join(project_skeleton.joint_names[:5])}, ...) has no joint in common with it: export COCO instead")
    return POSETRACK18


def export_view(project: Project, fmt: str, only_reviewed: bool = False, skeleton: str | None = None) -> Project:
    """The project exactly as the file will say it: keypoints converted to the format's skeleton,
    only reviewed (track, frame) pairs when ``only_reviewed``, ``labeled`` = the frames written as
    labelled, everything else cleared.

    Frames written as labelled: ``project.labeled`` frames and frames where any joint is labelled,
    except frames whose source file said ``is_labeled`` itself (with ``only_reviewed``: frames
    where some present track is reviewed). People are written on
    every frame they are present on (a PoseTrack21 box-only person on an unlabelled frame too).
    Format losses are applied here, so the view is exactly what the file can say: an occluded joint
    at exactly (0, 0) cannot be written in the PoseTrack ``labelled`` convention.
    """
    dst = format_skeleton(fmt, skeleton, project.skeleton)
    labelled_convention = fmt in ("posetrack18", "posetrack21") and written_convention(project, fmt) == "labelled"
    nf = project.num_frames
    tracks: dict[int, Track] = {}
    for tid, t in project.tracks.items():
        xy, vis, score, _ = convert_keypoints(t.xy, t.vis, t.score, project.skeleton, dst)
        c = Track.empty(tid, nf, dst.num_joints, person_id=t.person_id, name=t.name, extra=dict(t.extra))
        c.xy[:], c.vis[:], c.score[:] = np.where((vis > 0)[..., None], xy, 0), vis, np.where(vis > 0, score, 0)
        c.bbox[:], c.head_bbox[:], c.reviewed[:] = t.bbox, t.head_bbox, t.reviewed
        c.flags[:] = t.flags & np.uint8(TrackFlag.TRUNCATED)  # what the formats can say (outside = no annotation)
        c.source[:] = np.where(vis > 0, t.source[:, : dst.num_joints] if project.skeleton is dst else 1, 0)
        if labelled_convention:  # an occluded joint at exactly (0, 0) reads as 'not labelled' there
            lost = (c.vis == 1) & (c.xy == 0).all(-1)
            c.vis[lost], c.score[lost] = 0, 0
        if only_reviewed:
            _clear(c, ~t.reviewed)
        tracks[tid] = c
    has_joints = np.zeros(nf, bool)
    for c in tracks.values():
        has_joints |= (c.vis > 0).any(axis=1)
    if only_reviewed:
        frames = np.zeros(nf, bool)
        for c in tracks.values():
            frames |= c.reviewed & c.present()
        for c in tracks.values():
            _clear(c, ~frames)
    else:
        # A frame the source file listed keeps the file's is_labeled (PoseTrack has joints on frames
        # it marks unlabelled); any other frame with labelled joints is written as labelled.
        said = np.zeros(nf, bool)
        for f, im in ((project.meta.get("interop") or {}).get("images") or {}).items():
            if 0 <= int(f) < nf and isinstance(im, dict) and "is_labeled" in im:
                said[int(f)] = True
        frames = project.labeled.astype(bool) | (has_joints & ~said)
    regions = {f: list(p) for f, p in project.ignore_regions.items() if 0 <= f < nf}
    if fmt in ("coco", "coco-results"):  # COCO lists only written frames, so regions elsewhere cannot be kept
        people_frames = np.zeros(nf, bool)
        for c in tracks.values():
            people_frames |= c.present()
        listed = np.zeros(nf, bool)
        listed[[f for f in (project.meta.get("interop") or {}).get("listed", []) if 0 <= f < nf]] = True
        regions = {f: p for f, p in regions.items() if frames[f] or people_frames[f] or listed[f]}
    tracks = {tid: c for tid, c in tracks.items() if c.present().any()}
    return dataclasses.replace(project, skeleton=dst, tracks=tracks, labeled=frames, ignore_regions=regions)


def _clear(track: Track, frames: np.ndarray) -> None:
    n = int(frames.sum())
    if n:
        for name in FRAME_FIELDS:
            getattr(track, name)[frames] = empty_field(name, n, track.num_joints)


def to_document(view: Project, fmt: str) -> dict:
    """The JSON document for an export view (see :func:`export_view`)."""
    people: dict[int, list[Track]] = {}
    for tid in sorted(view.tracks):
        t = view.tracks[tid]
        for f in np.flatnonzero(t.present()):
            people.setdefault(int(f), []).append(t)
    if fmt == "coco":
        return write_coco(view, view.labeled, people)
    if fmt == "coco-results":
        return write_results(view, people)
    return write_posetrack(view, fmt, view.labeled, people)


def write_annotations(project: Project, path: str | Path, format: str, only_reviewed: bool = False,
                      skeleton: str | None = None) -> Project:
    """Write ``project`` as ``format`` (posetrack18 | posetrack21 | coco) to ``path``.

    Also ``coco-results`` (a COCO keypoint results list, see :mod:`stdpose_core.io.results`).
    Atomic: the file is written beside the target, read back with the project's own reader and
    compared with what was meant to be written; only then does it replace ``path``. A mismatch
    raises :class:`StdposeError` and leaves ``path`` untouched. Returns the export view (what the
    file holds). PoseTrack files get an image entry for every frame of the video
    (``is_labeled`` false where nothing is labelled).
    """
    from stdpose_core.io.readback_check import first_difference
    from stdpose_core.io.reader import read_annotations

    view = export_view(project, format, only_reviewed, skeleton)
    doc = to_document(view, format)
    data = json.dumps(doc, separators=(",", ":"), allow_nan=False).encode("utf-8")

    def check(tmp: Path) -> None:
        back = read_annotations(tmp, video=None, reference=view if format == "coco-results" else None)
        problem = first_difference(view, back, scores_only=True) if format == "coco-results" else first_difference(view, back)
        if problem:
            raise StdposeError(f"{path}: export check failed, the written {format} file would not read back the same ({problem}); nothing written")

    atomic_write_bytes(path, data, check)
    return view
