"""labelme / X-AnyLabeling JSON: one file per image (``shapes``, ``imagePath``, ``imageWidth/Height``).

No library reads these as poses (sleap-io does not), so this module does. A person is the
``point`` shapes sharing a ``group_id`` (each point's ``label`` is the joint name) plus the
``rectangle`` of that group as its box; points without a group form one person when no joint name
repeats. Joint layout: COCO-17 or PoseTrack18 when every point label is one of its joint names,
else the file's own names in first-seen order. Points are visible (2); X-AnyLabeling's
``difficult: true`` marks an occluded joint (1). Every person of every image is its own track
(``group_id`` numbers people within one image, not across images). Frames: the images, sorted by
name (a folder of files) or the one image (a single file); sizes per image.

Left out (said in the import summary): other shape types (polygons, lines, masks), shape and file
``flags``, descriptions and the embedded ``imageData``.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from stdpose_core.data import Project, VideoInfo
from stdpose_core.errors import InputError
from stdpose_core.io.carry import INTEROP, new_interop
from stdpose_core.io.frame_names import basename, natural_key
from stdpose_core.io.jsonfile import is_finite_number, load_json
from stdpose_core.io.records import MAX_COORD, PersonRecord, build_project
from stdpose_core.skeleton import file_skeleton


def _files(path: Path, data) -> list[tuple[Path, dict]]:
    if path.is_dir():
        out = []
        for p in sorted(path.glob("*.json"), key=lambda q: natural_key(q.name)):
            doc = load_json(p)
            if isinstance(doc, dict) and "shapes" in doc:
                out.append((p, doc))
        if not out:
            raise InputError(path, "no labelme/X-AnyLabeling JSON files in the folder")
        return out
    return [(path, data)]


def _point(shape: dict, where: str) -> tuple[float, float]:
    pts = shape.get("points")
    if not isinstance(pts, list) or not pts or not isinstance(pts[0], list) or len(pts[0]) < 2 \
            or not all(is_finite_number(v) and abs(v) <= MAX_COORD for v in pts[0][:2]):
        raise InputError(None, f"{where}: a point shape needs 'points': [[x, y]] with finite numbers")
    return float(pts[0][0]), float(pts[0][1])


def _people(doc: dict, file: Path) -> tuple[dict, dict, list[str]]:
    """Per group: {joint name: (x, y, vis)}, per group a box, and what was left out."""
    shapes = doc.get("shapes")
    if not isinstance(shapes, list):
        raise InputError(file, "'shapes' must be a list")
    points: dict = {}
    boxes: dict = {}
    left: list[str] = []
    for n, s in enumerate(shapes):
        where = f"{file}: shapes[{n}]"
        if not isinstance(s, dict):
            raise InputError(file, f"shapes[{n}]: expected an object")
        kind, group = s.get("shape_type", "polygon"), s.get("group_id")
        if kind == "point":
            label = s.get("label")
            if not isinstance(label, str) or not label:
                raise InputError(file, f"shapes[{n}]: a point needs a 'label' (the joint name)")
            x, y = _point(s, where)
            joints = points.setdefault(group, {})
            if label in joints:
                who = "without group_id" if group is None else f"in group {group}"
                raise InputError(file, f"shapes[{n}]: joint {label!r} twice {who}; give each person its own group_id")
            joints[label] = (x, y, 1 if s.get("difficult") is True else 2)
        elif kind == "rectangle":
            pts = s.get("points")
            if isinstance(pts, list) and len(pts) == 2 \
                    and all(isinstance(p, list) and len(p) >= 2 and all(is_finite_number(v) for v in p[:2]) for p in pts):
                (x1, y1), (x2, y2) = pts[0][:2], pts[1][:2]
                boxes[group] = np.array([min(x1, x2), min(y1, y2), max(x1, x2), max(y1, y2)], np.float32)
            else:
                raise InputError(file, f"shapes[{n}]: a rectangle needs 'points': [[x1, y1], [x2, y2]]")
        else:
            left.append(f"{kind} shape {s.get('label', '')!r}")
    return points, boxes, left


def read_labelme(path: Path, data=None) -> Project:
    """A labelme / X-AnyLabeling file, or a folder of them, as a Project (module docstring)."""
    files = _files(Path(path), data)
    parsed = []
    left_out: list[str] = []
    labels: list[str] = []
    for file, doc in files:
        if not isinstance(doc.get("imagePath"), str):
            raise InputError(file, "missing 'imagePath' (the image this labelme file annotates)")
        points, boxes, left = _people(doc, file)
        left_out += [f"{basename(doc['imagePath'])}: {x}" for x in left]
        if doc.get("imageData"):
            left_out.append(f"{basename(doc['imagePath'])}: the embedded imageData")
        for joints in points.values():
            labels += list(joints)
        parsed.append((file, doc, points, boxes))
    if not labels:
        raise InputError(path, "no point shapes (keypoints) in the labelme file(s)")
    sk = file_skeleton("labelme", list(dict.fromkeys(labels)))
    order = sorted(range(len(parsed)), key=lambda i: natural_key(basename(parsed[i][1]["imagePath"])))
    records, names, sizes = [], [], []
    for f, i in enumerate(order):
        file, doc, points, boxes = parsed[i]
        names.append(basename(doc["imagePath"]))
        w, h = doc.get("imageWidth"), doc.get("imageHeight")
        sizes.append([int(w), int(h)] if is_finite_number(w) and is_finite_number(h) else [0, 0])
        for group in sorted(set(points) | set(boxes), key=lambda g: (g is None, g if isinstance(g, (int, float)) else 0, str(g))):
            xy = np.zeros((sk.num_joints, 2), np.float32)
            vis = np.zeros(sk.num_joints, np.int8)
            for label, (x, y, v) in points.get(group, {}).items():
                j = sk.index(label)
                xy[j], vis[j] = (x, y), v
            records.append(PersonRecord(frame=f, track_id=None, xy=xy, vis=vis, score=np.where(vis > 0, 1.0, 0.0).astype(np.float32),
                                        bbox=boxes.get(group, np.full(4, np.nan, np.float32)), head_bbox=np.full(4, np.nan, np.float32),
                                        extra={"group_id": group} if group is not None else None))
    known = {tuple(s) for s in sizes if s[0]}
    width = max((s[0] for s in sizes), default=0)
    height = max((s[1] for s in sizes), default=0)
    frame_sizes = None if len(known) <= 1 and all(s[0] for s in sizes) else sizes
    folder = str(Path(path) if Path(path).is_dir() else Path(path).parent)
    info = VideoInfo(path=folder, num_frames=len(parsed), width=width, height=height, frame_names=names, frame_sizes=frame_sizes)
    carried = new_interop("labelme", str(path), {})
    carried["left_out"] = left_out
    carried["listed"] = list(range(len(parsed)))
    return build_project(sk, info, records, np.ones(len(parsed), bool), {}, {INTEROP: carried}, str(path))
