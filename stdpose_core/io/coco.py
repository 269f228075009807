"""COCO keypoints JSON (``images``, ``annotations``, ``categories`` with ``keypoints``/``skeleton``).

Reading: visibility 0/1/2 is kept exactly. The keypoint layout comes from the category's keypoint
names (COCO-17 or PoseTrack18 order). COCO has no track ids: an annotation's ``track_id`` is used
when present (e.g. PoseTrack's merged COCO-style files), otherwise every annotation becomes its own
track (ids 0, 1, ... in file order). Crowd annotations (``iscrowd`` 1) are skipped. Frames: images
sorted by file name (then id) — unless the file was written by this module, whose images carry
``frame_index`` and whose ``info.stdpose.num_frames`` restore the original video frames.

Writing: only frames that carry annotation are listed (COCO has no 'unlabelled image' notion), each
with the extra fields ``frame_index``, ``is_labeled`` and PoseTrack-style ignore regions; annotations
carry ``track_id``, ``bbox_head`` and per-joint ``scores`` besides the standard fields, so a COCO
export round-trips. ``area`` is the box area (boxes from the keypoints' extent when a person has no
box); annotation ids start at 1 (pycocotools treats id 0 as 'no match').
"""

from __future__ import annotations

import numpy as np

from stdpose_core.data import Project, VideoInfo
from stdpose_core.errors import InputError
from stdpose_core.io.encode import encode_people, number_list
from stdpose_core.io.frames import MAX_FRAMES, common_folder, export_file_names, layout_by_position, natural_key
from stdpose_core.io.jsonfile import is_finite_number
from stdpose_core.io.records import (PersonRecord, first_duplicate, build_project, parse_box, parse_keypoints, parse_regions, parse_scores, parse_track_id,
                                     record_scores, require, parse_attributes, attributes_of)
from stdpose_core.skeleton import SKELETONS, Skeleton


_IMAGE_KEYS = {"id", "file_name", "frame_index", "is_labeled", "ignore_regions_x", "ignore_regions_y"}


def keypoint_category(data: dict, path: str) -> tuple[dict, Skeleton]:
    """The category with keypoints, and the skeleton preset whose joint names it lists."""
    cats = data.get("categories")
    if not isinstance(cats, list):
        raise InputError(path, "missing key 'categories' (COCO keypoints files define the keypoint names there)")
    kcats = [c for c in cats if isinstance(c, dict) and c.get("keypoints")]
    if not kcats:
        raise InputError(path, "no category with 'keypoints' (not a keypoint annotation file)")
    if len(kcats) > 1:
        raise InputError(path, f"{len(kcats)} keypoint categories; only single-category (person) files are supported")
    cat = kcats[0]
    require(cat, ("id",), path, "categories[0]")
    names = tuple(cat["keypoints"])
    for sk in SKELETONS.values():
        if names == sk.joint_names:
            return cat, sk
    raise InputError(path, f"unknown keypoint layout ({len(names)} keypoints: {', '.join(map(str, names[:6]))}, ...); supported: COCO-17, PoseTrack18")


def read_coco(data: dict, path: str) -> Project:
    cat, skeleton = keypoint_category(data, path)
    images = data["images"]
    for i, im in enumerate(images):
        require(im, ("id", "file_name"), path, f"images[{i}]")
        if not isinstance(im["file_name"], str):
            raise InputError(path, f"images[{i}]: 'file_name' must be a string")
    ids = [str(im["id"]) for im in images]
    dup = first_duplicate(map(str, ids))
    if dup is not None:
        raise InputError(path, f"image id {dup} is used twice")
    names = [im["file_name"] for im in images]
    ours = (data.get("info") or {}).get("stdpose") if isinstance(data.get("info"), dict) else None
    nf_ours = ours.get("num_frames") if isinstance(ours, dict) else None
    if isinstance(nf_ours, int) and 0 < nf_ours <= MAX_FRAMES and all(isinstance(im.get("frame_index"), int) and 0 <= im["frame_index"] < nf_ours for im in images) \
            and len({im["frame_index"] for im in images}) == len(images):
        nf = int(nf_ours)
        index = [im["frame_index"] for im in images]
        frame_names = list(ours.get("frame_names") or [None] * nf)
        if len(frame_names) != nf:
            frame_names = [None] * nf
        for i, f in enumerate(index):
            frame_names[f] = names[i]
        frame_names = None if any(n is None for n in frame_names) else frame_names
    else:
        order = sorted(range(len(images)), key=lambda i: (natural_key(names[i]), str(images[i]["id"])))
        layout = layout_by_position(names, order)
        nf, index, frame_names = layout.num_frames, layout.index, layout.names
    frame_of_image = dict(zip(ids, index))

    labeled = np.zeros(nf, bool)
    regions: dict[int, list[np.ndarray]] = {}
    image_extra = {}
    for i, im in enumerate(images):
        labeled[index[i]] = bool(im.get("is_labeled", True))
        extra = {k: v for k, v in im.items() if k not in _IMAGE_KEYS}
        if extra:  # per-image size, licence, urls... written back on export
            image_extra[str(index[i])] = extra
        polys = parse_regions(im, path, f"image {names[i]}")
        if polys:
            regions[index[i]] = polys

    k = skeleton.num_joints
    records = []
    for j, a in enumerate(data["annotations"]):
        where = f"annotations[{j}]" + (f" (id {a['id']})" if isinstance(a, dict) and "id" in a else "")
        require(a, ("image_id", "category_id"), path, where)
        if str(a["category_id"]) != str(cat["id"]) or a.get("iscrowd") in (1, True):
            continue
        require(a, ("keypoints",), path, where)
        key = str(a["image_id"])
        if key not in frame_of_image:
            raise InputError(path, f"{where}: unknown image_id {a['image_id']}")
        xy, vis, conf = parse_keypoints(a["keypoints"], k, path, where, "absent")
        scores = parse_scores(a.get("scores"), k, path, where)
        records.append(PersonRecord(
            frame=frame_of_image[key], track_id=parse_track_id(a.get("track_id"), path, where), xy=xy, vis=vis,
            score=record_scores(vis, scores, conf), bbox=parse_box(a.get("bbox"), path, where, "bbox"),
            head_bbox=parse_box(a.get("bbox_head"), path, where, "bbox_head"),
            person_id=parse_track_id(a.get("person_id"), path, where, "person_id"), flags=parse_attributes(a)))

    width, height = 0, 0
    for im in images:
        if is_finite_number(im.get("width")) and is_finite_number(im.get("height")):
            width, height = int(im["width"]), int(im["height"])
            break
    video_path = ours.get("video", "") if isinstance(ours, dict) else ""
    info = VideoInfo(path=video_path or common_folder(names), num_frames=nf, width=width, height=height, frame_names=frame_names)
    meta = {"coco": {"image_ids": {str(f): images[i]["id"] for i, f in enumerate(index)}, "image_extra": image_extra,
                     "categories": data.get("categories"), "info": data.get("info"), "licenses": data.get("licenses")}}
    return build_project(skeleton, info, records, labeled, regions, meta, path)


def write_coco(project: Project, frames: np.ndarray, people: dict[int, list]) -> dict:
    """COCO dict: images for ``frames`` (bool [F]) or frames with people, annotations for ``people``."""
    nf = project.num_frames
    names = export_file_names(project.video.frame_names, project.video.path, nf)
    known_ids = {int(f): v for f, v in project.meta.get("coco", {}).get("image_ids", {}).items()}
    extra = project.meta.get("coco", {}).get("image_extra", {})
    used_ids = set(known_ids.values())
    images, anns = [], []
    encoded = encode_people(people, False, derive_box=True)
    for f in range(nf):
        if not frames[f] and not people.get(f):
            continue
        image_id = known_ids.get(f)
        if image_id is None:
            image_id = f + 1
            while image_id in used_ids:
                image_id += nf
        im = {"id": image_id, "file_name": names[f], "frame_index": f, "is_labeled": bool(frames[f])}
        if project.video.width and project.video.height:
            im["width"], im["height"] = project.video.width, project.video.height
        im.update(extra.get(str(f), {}))
        polys = project.ignore_regions.get(f, [])
        if polys:
            im["ignore_regions_x"] = [number_list(p[:, 0]) for p in polys]
            im["ignore_regions_y"] = [number_list(p[:, 1]) for p in polys]
        images.append(im)
        for t in people.get(f, []):
            anns.append(_annotation(t, encoded[t.track_id][f], image_id, len(anns) + 1))
            if attributes_of(t, f):
                anns[-1]["attributes"] = attributes_of(t, f)
    sk = project.skeleton
    category = {"supercategory": "person", "id": 1, "name": "person", "keypoints": list(sk.joint_names),
                "skeleton": [[a + 1, b + 1] for a, b in sk.edges]}
    info = {"description": f"exported by stdpose ({sk.name})",
            "stdpose": {"num_frames": nf, "video": project.video.path, "skeleton": sk.name,
                        "frame_names": names}}
    return {"info": info, "images": images, "annotations": anns, "categories": [category]}


def _annotation(t, enc: dict, image_id, ann_id: int) -> dict:
    box = enc["bbox"]
    a = {"id": ann_id, "image_id": image_id, "category_id": 1, "track_id": int(t.track_id),
         "keypoints": enc["keypoints"], "num_keypoints": enc["num_keypoints"], "scores": enc["scores"],
         "bbox": box, "area": float(box[2] * box[3]), "iscrowd": 0}
    if enc["bbox_head"] is not None:
        a["bbox_head"] = enc["bbox_head"]
    return a
