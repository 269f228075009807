"""Per-person records shared by the format readers: field parsing with clear errors, and building a
:class:`Project` from records.

A record is one annotated person on one frame: ``xy[K,2]`` float32 pixels, ``vis[K]`` int8 0/1/2,
``score[K]`` float32, ``bbox``/``head_bbox`` ``[4]`` float32 ``x1, y1, x2, y2`` (NaN = none).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from stdpose_core.data import Project, Source, Track, VideoInfo
from stdpose_core.errors import InputError
from stdpose_core.io.carry import ANNOTATIONS
from stdpose_core.io.encode import flags_from_entry
from stdpose_core.io.jsonfile import is_finite_number
from stdpose_core.skeleton import Skeleton

#: Larger pixel coordinates are certainly corrupt (and would overflow float32 arithmetic).
MAX_COORD = 1e7


@dataclass
class PersonRecord:
    frame: int
    track_id: int | None
    xy: np.ndarray
    vis: np.ndarray
    score: np.ndarray
    bbox: np.ndarray
    head_bbox: np.ndarray
    person_id: int | None = None
    #: the file's annotation entry as read (carried verbatim, see :mod:`stdpose_core.io.carry`)
    extra: dict | None = None


def parse_keypoints(raw: Any, k: int, path: str, where: str, zero_vis: str) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
    """Parse a flat ``[x1, y1, v1, ...]`` list of ``k`` joints.

    ``zero_vis`` says what ``v == 0`` with non-zero coordinates means: ``"absent"`` (COCO: not
    labelled) or ``"occluded"`` (PoseTrack: poseval counts any joint that is not (0,0,0), and
    PoseTrack21 marks occluded joints this way) → vis 1. A fractional ``v`` in (0, 1) is a prediction
    file's confidence: the joint becomes visible (2) and the value is returned as its score.
    Returns ``(xy[k,2], vis[k], conf[k] or None)``; ``xy`` is 0 where ``vis`` is 0. An empty list
    (CVAT writes ``keypoints: []`` for a person box without points) is a person with no joints.
    """
    if not isinstance(raw, list):
        raise InputError(path, f"{where}: 'keypoints' must be a list, got {type(raw).__name__}")
    if not raw:
        return np.zeros((k, 2), np.float32), np.zeros(k, np.int8), None
    if len(raw) != 3 * k:
        n = f"{len(raw) // 3} keypoints" if len(raw) % 3 == 0 else f"{len(raw)} values"
        raise InputError(path, f"{where}: wrong keypoint count: {n}, expected {k} (x, y, v triplets = {3 * k} values)")
    try:
        arr = np.array(raw, dtype=np.float64).reshape(k, 3)
    except (TypeError, ValueError):
        raise InputError(path, f"{where}: 'keypoints' must contain only numbers") from None
    bad = ~np.isfinite(arr)
    if bad.any():
        j = int(np.argwhere(bad)[0][0])
        raise InputError(path, f"{where}: keypoint {j} has a NaN/null/infinite value")
    far = np.abs(arr[:, :2]) > MAX_COORD
    if far.any():
        raise InputError(path, f"{where}: keypoint {int(np.argwhere(far)[0][0])} coordinate is out of range (over {MAX_COORD:.0e} px)")
    xy, v = arr[:, :2], arr[:, 2]
    if (v < 0).any() or (v > 2).any():
        raise InputError(path, f"{where}: keypoint visibility must be 0, 1 or 2, got {v[(v < 0) | (v > 2)][0]:g}")
    integral = v == np.round(v)
    if (~integral & (v > 1)).any():
        raise InputError(path, f"{where}: keypoint visibility must be 0, 1 or 2, got {v[~integral & (v > 1)][0]:g}")
    vis = np.where(integral, v, 2).astype(np.int8)
    conf = np.where(integral, np.nan, v) if (~integral).any() else None
    has_xy = (xy != 0).any(axis=1)
    if zero_vis == "occluded":
        vis[(vis == 0) & has_xy] = 1
    xy = np.where((vis > 0)[:, None], xy, 0.0).astype(np.float32)
    return xy, vis, (None if conf is None else conf.astype(np.float32))


def parse_scores(raw: Any, k: int, path: str, where: str) -> np.ndarray | None:
    """Per-joint confidences (PoseTrack ``scores``); ``[]`` or missing → None."""
    if raw is None or raw == []:
        return None
    if not isinstance(raw, list) or len(raw) != k:
        got = len(raw) if isinstance(raw, list) else type(raw).__name__
        raise InputError(path, f"{where}: 'scores' must be a list of {k} numbers, got {got}")
    if not all(is_finite_number(s) and abs(s) <= MAX_COORD for s in raw):
        raise InputError(path, f"{where}: 'scores' must contain only finite numbers")
    return np.asarray(raw, np.float32)


def parse_box(raw: Any, path: str, where: str, key: str) -> np.ndarray:
    """``[x, y, w, h]`` → ``[x1, y1, x2, y2]`` float32; missing/empty → NaN."""
    if raw is None or raw == []:
        return np.full(4, np.nan, np.float32)
    if not isinstance(raw, list) or len(raw) != 4 or not all(is_finite_number(v) and abs(v) <= MAX_COORD for v in raw):
        raise InputError(path, f"{where}: '{key}' must be [x, y, width, height] (4 finite numbers within {MAX_COORD:.0e} px), got {str(raw)[:60]}")
    x, y, w, h = raw
    if w < 0 or h < 0:
        raise InputError(path, f"{where}: '{key}' has a negative width or height: {raw}")
    return np.array([x, y, x + w, y + h], np.float32)


def parse_regions(im: dict, path: str, where: str) -> list[np.ndarray]:
    """PoseTrack ``ignore_regions_x/y`` of an image → polygons ``[N,2]`` float32."""
    xs, ys = im.get("ignore_regions_x", []) or [], im.get("ignore_regions_y", []) or []
    if not isinstance(xs, list) or not isinstance(ys, list) or len(xs) != len(ys):
        raise InputError(path, f"{where}: 'ignore_regions_x' and 'ignore_regions_y' must be lists of the same length")
    polys = []
    for n, (px, py) in enumerate(zip(xs, ys)):
        if not isinstance(px, list) or not isinstance(py, list) or len(px) != len(py):
            raise InputError(path, f"{where}: ignore region {n}: x and y lists differ in length")
        if not all(is_finite_number(v) and abs(v) <= MAX_COORD for v in px + py):
            raise InputError(path, f"{where}: ignore region {n}: coordinates must be finite numbers within {MAX_COORD:.0e} px")
        if px:
            polys.append(np.stack([np.asarray(px, np.float32), np.asarray(py, np.float32)], axis=1))
    return polys


def parse_track_id(raw: Any, path: str, where: str, key: str = "track_id") -> int | None:
    """A non-negative integer id (``3`` or ``3.0``; a digit string such as CVAT's ``"3"``), None when absent."""
    if isinstance(raw, str) and raw.strip().isdigit():
        return int(raw)
    if raw is None:
        return None
    if isinstance(raw, bool) or not isinstance(raw, (int, float)) or raw != int(raw) or raw < 0:
        raise InputError(path, f"{where}: '{key}' must be a non-negative integer, got {raw!r}")
    return int(raw)


def require(obj: Any, keys: tuple[str, ...], path: str, where: str) -> None:
    if not isinstance(obj, dict):
        raise InputError(path, f"{where}: expected an object, got {type(obj).__name__}")
    missing = [k for k in keys if k not in obj]
    if missing:
        raise InputError(path, f"{where}: missing key {', '.join(repr(m) for m in missing)}")


def first_duplicate(values) -> str | None:
    seen = set()
    for v in values:
        if v in seen:
            return v
        seen.add(v)
    return None


def build_project(skeleton: Skeleton, video: VideoInfo, records: list[PersonRecord], labeled: np.ndarray,
                  ignore_regions: dict[int, list[np.ndarray]], meta: dict, path: str) -> Project:
    """Assemble a Project from records. Records without a track id get fresh ids after the largest
    given one (one track per annotation); the same id twice on one frame is an error. Joints with
    ``vis > 0`` get source MANUAL."""
    next_id = max((r.track_id for r in records if r.track_id is not None), default=-1) + 1
    for r in records:
        if r.track_id is None:
            r.track_id, next_id = next_id, next_id + 1
    seen: set[tuple[int, int]] = set()
    f, k = video.num_frames, skeleton.num_joints
    tracks: dict[int, Track] = {}
    for r in records:
        key = (r.track_id, r.frame)
        if key in seen:
            name = video.frame_names[r.frame] if video.frame_names else f"frame {r.frame}"
            raise InputError(path, f"track {r.track_id} appears twice on image {name}")
        seen.add(key)
        t = tracks.get(r.track_id)
        if t is None:
            t = tracks[r.track_id] = Track.empty(r.track_id, f, k, person_id=r.person_id)
        t.xy[r.frame] = r.xy
        t.vis[r.frame] = r.vis
        t.score[r.frame] = r.score
        t.source[r.frame] = np.where(r.vis > 0, int(Source.MANUAL), int(Source.NONE))
        t.bbox[r.frame] = r.bbox
        t.head_bbox[r.frame] = r.head_bbox
        if r.extra:
            t.extra.setdefault(ANNOTATIONS, {})[str(r.frame)] = r.extra
            t.flags[r.frame] = flags_from_entry(r.extra)
    return Project(skeleton=skeleton, video=video, tracks=dict(sorted(tracks.items())), labeled=labeled,
                   ignore_regions=ignore_regions, meta=meta)


def is_empty(r: PersonRecord) -> bool:
    """A record with neither a labelled joint nor a box: no person to track (carried as it is)."""
    return not (r.vis > 0).any() and not np.isfinite(r.bbox).all()


def record_scores(vis: np.ndarray, scores: np.ndarray | None, conf: np.ndarray | None) -> np.ndarray:
    """Joint scores: the file's ``scores`` when given, else a fractional ``v``, else 1 for labelled."""
    if scores is not None:
        out = scores.copy()
    else:
        out = np.where(vis > 0, 1.0, 0.0).astype(np.float32)
        if conf is not None:
            out = np.where(np.isfinite(conf), conf, out).astype(np.float32)
    return np.where(vis > 0, out, 0.0).astype(np.float32)
