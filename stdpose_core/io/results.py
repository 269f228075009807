"""COCO keypoint results files: a JSON list of ``{image_id, category_id, keypoints, score}``.

What detectors and pose estimators write for the COCO evaluation server and ``COCO.loadRes``.
Reading: every entry is one predicted person; a joint is predicted unless it is ``(0, 0, 0)``;
its third value is its confidence (stored as the joint score; the joint becomes visible, 2), the
entry's ``score`` is kept (``track.extra["annotations"][frame]["score"]``) and used by the OKS
evaluation. A ``track_id`` key (written by this module, and by trackers) gives the track, else
every entry is its own person. Results name images only by id, so frames come from a reference
(a project or ground-truth file that carries the COCO image ids); without one, each distinct
image id is a frame, in id order, and frames are matched to ground truth by image id.

Writing: one entry per person and frame, the third keypoint value the joint score, ``score``
the carried one or the mean of the labelled joints' scores, plus ``bbox`` and ``track_id``.
"""

from __future__ import annotations

import numpy as np

from stdpose_core.data import Project, VideoInfo
from stdpose_core.errors import InputError
from stdpose_core.io.carry import INTEROP, carried_annotation, new_interop
from stdpose_core.io.coco import frame_image_ids
from stdpose_core.io.encode import encode_people, number_list
from stdpose_core.io.jsonfile import is_finite_number
from stdpose_core.io.records import PersonRecord, build_project, parse_box, parse_track_id, require
from stdpose_core.skeleton import COCO17, Skeleton


def _keypoints(raw, k: int, path: str, where: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    if not isinstance(raw, list) or len(raw) != 3 * k:
        n = len(raw) if isinstance(raw, list) else type(raw).__name__
        raise InputError(path, f"{where}: 'keypoints' must be {3 * k} numbers (x, y, confidence for {k} joints), got {n}")
    if not all(is_finite_number(v) and abs(v) <= 1e7 for v in raw):
        raise InputError(path, f"{where}: 'keypoints' must contain only finite numbers")
    arr = np.asarray(raw, np.float64).reshape(k, 3)
    has = (arr != 0).any(axis=1)
    vis = np.where(has, 2, 0).astype(np.int8)
    xy = np.where(has[:, None], arr[:, :2], 0).astype(np.float32)
    return xy, vis, np.where(has, arr[:, 2], 0).astype(np.float32)


def read_results(data: list, path: str, skeleton: Skeleton | None = None, reference: Project | None = None) -> Project:
    """A results list → a Project of predictions (see module docstring). ``skeleton``: the joint
    layout (default: the reference's, else COCO-17 when entries have 17 joints)."""
    for i, e in enumerate(data):
        require(e, ("image_id", "keypoints", "score"), path, f"entry {i}")
    k0 = len(data[0]["keypoints"]) // 3 if isinstance(data[0]["keypoints"], list) else 0
    if skeleton is None:
        skeleton = reference.skeleton if reference is not None and reference.num_joints == k0 else COCO17
    if reference is not None:
        ids = frame_image_ids(reference)
        frame_of = {str(v): f for f, v in enumerate(ids)}
        nf, names, sizes = reference.num_frames, reference.video.frame_names, reference.video.frame_sizes
        width, height = reference.video.width, reference.video.height
    else:
        distinct = sorted({e["image_id"] for e in data},
                          key=lambda v: (not isinstance(v, (int, float)), v if isinstance(v, (int, float)) else str(v)))
        ids = list(distinct)
        frame_of = {str(v): f for f, v in enumerate(ids)}
        nf, names, sizes, width, height = len(ids), None, None, 0, 0
    records = []
    for i, e in enumerate(data):
        where = f"entry {i} (image_id {e['image_id']})"
        f = frame_of.get(str(e["image_id"]))
        if f is None:
            raise InputError(path, f"{where}: no such image in the ground truth / project")
        if not is_finite_number(e["score"]):
            raise InputError(path, f"{where}: 'score' must be a number")
        xy, vis, score = _keypoints(e["keypoints"], skeleton.num_joints, path, where)
        records.append(PersonRecord(frame=f, track_id=parse_track_id(e.get("track_id"), path, where), xy=xy, vis=vis, score=score,
                                    bbox=parse_box(e.get("bbox"), path, where, "bbox"), head_bbox=np.full(4, np.nan, np.float32),
                                    extra={key: v for key, v in e.items() if key != "image_id"}))
    info = VideoInfo(path="", num_frames=nf, width=width, height=height, frame_names=names, frame_sizes=sizes)
    carried = new_interop("coco-results", path, {})
    carried["images"] = {str(f): {"id": v} for f, v in enumerate(ids)}
    carried["listed"] = sorted({r.frame for r in records})
    project = build_project(skeleton, info, records, np.zeros(nf, bool), {}, {INTEROP: carried}, path)
    return project


def person_score(track, frame: int) -> float:
    """A person's detection score on ``frame``: the carried results ``score``, else the mean of
    its labelled joints' scores (0 when none)."""
    s = carried_annotation(track, frame).get("score")
    if is_finite_number(s):
        return float(s)
    lab = track.vis[frame] > 0
    return float(track.score[frame][lab].mean()) if lab.any() else 0.0


def write_results(project: Project, people: dict[int, list]) -> list:
    """The results list for ``people[f]`` (tracks per frame) of ``project`` (module docstring)."""
    ids = frame_image_ids(project)
    encoded = encode_people(people, False, derive_box=True)
    out = []
    for f in sorted(people):
        for t in people[f]:
            enc = encoded[t.track_id][f]
            lab = t.vis[f] > 0
            kp = np.concatenate([np.where(lab[:, None], t.xy[f], 0), np.where(lab, t.score[f], 0)[:, None]], axis=1)
            entry = {"image_id": ids[f], "category_id": carried_annotation(t, f).get("category_id", 1),
                     "keypoints": number_list(kp), "score": person_score(t, f), "bbox": enc["bbox"], "track_id": int(t.track_id)}
            out.append(entry)
    return out
