"""COCO keypoints JSON (``images``, ``annotations``, ``categories`` with ``keypoints``/``skeleton``).

Reading: visibility 0/1/2 is kept exactly. The keypoint layout comes from the category's keypoint
names: COCO-17 or PoseTrack18 order give the preset, any other list the file's own skeleton (its
``skeleton`` edges, 1-based). Track ids: an annotation's ``track_id``, or CVAT's
``attributes.track_id`` ("COCO Keypoints 1.0" video exports; ``keyframe``/``occluded`` are carried),
otherwise every annotation becomes its own track (ids 0, 1, ... in file order). An annotation with
``keypoints: []`` (CVAT: a box without points) is a box-only person. Crowd annotations
(``iscrowd`` 1) are regions, not people: carried verbatim and written back. Frames: images sorted
by file name (then id), unless the file was written by this module, whose images carry
``frame_index`` and whose ``info.stdpose.num_frames`` restore the original video frames. Images
of different sizes keep their sizes (``VideoInfo.frame_sizes``).

Everything else (image and annotation ids, ``area``, ``segmentation``, licences, urls, the category
with its skeleton edges, ``info``) is carried (:mod:`stdpose_core.io.carry`) and written back.

Writing: frames that carry annotation, plus the images the source file listed (COCO has no
'unlabelled image' notion, so images without people come back only from the source); each image
with the extra fields ``frame_index``, ``is_labeled`` and PoseTrack-style ignore regions;
annotations carry ``track_id``, ``bbox_head`` and per-joint ``scores`` (left out where the source
had none and nothing changed) besides the standard fields, so a COCO export round-trips. ``area``:
the file's (the segmentation's area, which pycocotools' OKS uses) when carried, else the box area
(boxes from the keypoints' extent when a person has no box). New annotation ids continue after
the largest carried one, from 1 (pycocotools treats id 0 as 'no match').
"""

from __future__ import annotations

import numpy as np

from stdpose_core.data import Project, VideoInfo
from stdpose_core.errors import InputError
from stdpose_core.io.carry import INTEROP, carried_annotation, carried_image, interop, merge_verbatim, new_interop
from stdpose_core.io.encode import encode_people, number_list, with_attributes
from stdpose_core.io.frame_names import MAX_FRAMES, basename, common_folder, export_file_names, layout_by_position, natural_key
from stdpose_core.io.jsonfile import is_finite_number
from stdpose_core.io.records import (
    PersonRecord,
    build_project,
    first_duplicate,
    is_empty,
    parse_box,
    parse_keypoints,
    parse_regions,
    parse_scores,
    parse_track_id,
    record_scores,
    require,
)
from stdpose_core.skeleton import Skeleton, custom_skeleton, preset_for

#: Image keys written from the project; any others are carried verbatim.
_IMAGE_KEYS = frozenset({"id", "file_name", "frame_index", "is_labeled", "width", "height", "ignore_regions_x", "ignore_regions_y"})
_ANNOTATION_KEYS = frozenset({"id", "image_id", "category_id", "track_id", "person_id", "keypoints", "num_keypoints", "scores",
                              "bbox", "area", "iscrowd", "bbox_head"})


def keypoint_category(data: dict, path: str) -> tuple[dict, Skeleton]:
    """The category with keypoints, and the skeleton whose joint names it lists (a preset, or the
    file's own layout)."""
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
    names = cat["keypoints"]
    if not isinstance(names, list) or not all(isinstance(n, str) and n for n in names):
        raise InputError(path, "the category's 'keypoints' must be a list of joint names")
    preset = preset_for(names)
    if preset is not None:
        return cat, preset
    if len(set(names)) != len(names):
        raise InputError(path, f"the category lists a joint name twice ({len(names)} names, {len(set(names))} distinct)")
    edges = []
    for e in cat.get("skeleton") or []:
        if isinstance(e, list) and len(e) == 2 and all(isinstance(v, int) and not isinstance(v, bool) for v in e):
            edges.append((e[0] - 1, e[1] - 1))
    return cat, custom_skeleton(str(cat.get("name") or "custom"), names, edges)


def _track_id(a: dict, path: str, where: str) -> int | None:
    if a.get("track_id") is not None:
        return parse_track_id(a.get("track_id"), path, where)
    attrs = a.get("attributes")
    if isinstance(attrs, dict) and attrs.get("track_id") is not None:  # CVAT "COCO Keypoints 1.0"
        return parse_track_id(attrs["track_id"], path, where + " attributes")
    return None


def _frames(images: list[dict], names: list[str], ours: dict | None) -> tuple[int, list[int], list[str] | None]:
    """Frame count, frame of every image, and frame names (see module docstring)."""
    nf_ours = ours.get("num_frames") if isinstance(ours, dict) else None
    if isinstance(nf_ours, int) and 0 < nf_ours <= MAX_FRAMES \
            and all(isinstance(im.get("frame_index"), int) and 0 <= im["frame_index"] < nf_ours for im in images) \
            and len({im["frame_index"] for im in images}) == len(images):
        index = [im["frame_index"] for im in images]
        frame_names = list(ours.get("frame_names") or [None] * nf_ours)
        if len(frame_names) != nf_ours:
            frame_names = [None] * nf_ours
        for i, f in enumerate(index):
            frame_names[f] = names[i]
        return nf_ours, index, (None if any(not isinstance(n, str) for n in frame_names) else frame_names)
    order = sorted(range(len(images)), key=lambda i: (natural_key(names[i]), str(images[i]["id"])))
    layout = layout_by_position(names, order)
    return layout.num_frames, layout.index, layout.names


def _sizes(images: list[dict], index: list[int], nf: int) -> tuple[int, int, list[list[int]] | None]:
    """Video width/height and per-frame sizes when the images differ (0 where unknown)."""
    sizes = [[0, 0] for _ in range(nf)]
    for im, f in zip(images, index):
        if is_finite_number(im.get("width")) and is_finite_number(im.get("height")):
            sizes[f] = [int(im["width"]), int(im["height"])]
    known = {tuple(s) for s in sizes if s[0] and s[1]}
    if not known:
        return 0, 0, None
    if len(known) == 1 and all(s[0] for s in sizes):
        w, h = known.pop()
        return w, h, None
    return max(w for w, _ in known), max(h for _, h in known), sizes


def read_coco(data: dict, path: str) -> Project:
    cat, skeleton = keypoint_category(data, path)
    images = data["images"]
    for i, im in enumerate(images):
        require(im, ("id", "file_name"), path, f"images[{i}]")
        if not isinstance(im["file_name"], str):
            raise InputError(path, f"images[{i}]: 'file_name' must be a string")
    ids = [str(im["id"]) for im in images]
    dup = first_duplicate(ids)
    if dup is not None:
        raise InputError(path, f"image id {dup} is used twice")
    names = [im["file_name"] for im in images]
    ours = (data.get("info") or {}).get("stdpose") if isinstance(data.get("info"), dict) else None
    nf, index, frame_names = _frames(images, names, ours)
    frame_of_image = dict(zip(ids, index))

    labeled = np.zeros(nf, bool)
    regions: dict[int, list[np.ndarray]] = {}
    for i, im in enumerate(images):
        labeled[index[i]] = bool(im.get("is_labeled", True))
        polys = parse_regions(im, path, f"image {names[i]}")
        if polys:
            regions[index[i]] = polys

    k = skeleton.num_joints
    records, other = [], {}
    for j, a in enumerate(data["annotations"]):
        where = f"annotations[{j}]" + (f" (id {a['id']})" if isinstance(a, dict) and "id" in a else "")
        require(a, ("image_id", "category_id"), path, where)
        key = str(a["image_id"])
        if key not in frame_of_image:
            raise InputError(path, f"{where}: unknown image_id {a['image_id']}")
        f = frame_of_image[key]
        if str(a["category_id"]) != str(cat["id"]) or a.get("iscrowd") in (1, True):
            other.setdefault(str(f), []).append(a)  # not a person to track: carried as it is
            continue
        require(a, ("keypoints",), path, where)
        xy, vis, conf = parse_keypoints(a["keypoints"], k, path, where, "absent")
        scores = parse_scores(a.get("scores"), k, path, where)
        r = PersonRecord(
            frame=f, track_id=_track_id(a, path, where), xy=xy, vis=vis,
            score=record_scores(vis, scores, conf), bbox=parse_box(a.get("bbox"), path, where, "bbox"),
            head_bbox=parse_box(a.get("bbox_head"), path, where, "bbox_head"),
            person_id=parse_track_id(a.get("person_id"), path, where, "person_id"),
            extra={key_: v for key_, v in a.items() if key_ != "image_id"})
        if is_empty(r):
            other.setdefault(str(f), []).append(a)
        else:
            records.append(r)

    width, height, frame_sizes = _sizes(images, index, nf)
    video_path = ours.get("video", "") if isinstance(ours, dict) else ""
    info = VideoInfo(path=video_path or common_folder(names), num_frames=nf, width=width, height=height,
                     frame_names=frame_names, frame_sizes=frame_sizes)
    carried = new_interop("coco", path, data)
    if isinstance(carried["document"].get("info"), dict):
        carried["document"]["info"] = {k_: v for k_, v in carried["document"]["info"].items() if k_ != "stdpose"}
    carried["images"] = {str(f): im for im, f in zip(images, index)}
    carried["listed"] = sorted(index)
    carried["other"] = other
    carried["category_id"] = cat["id"]
    return build_project(skeleton, info, records, labeled, regions, {INTEROP: carried}, path)


def _categories(project: Project, carried: dict) -> tuple[list, object]:
    """The file's categories (with its skeleton edges) when they list the project's joints, else
    one person category; and the keypoint category's id."""
    sk = project.skeleton
    cats = (carried.get("document") or {}).get("categories")
    if isinstance(cats, list):
        same = [c for c in cats if isinstance(c, dict) and c.get("keypoints") == list(sk.joint_names)]
        if same:
            return cats, same[0].get("id", 1)
    return [{"supercategory": "person", "id": 1, "name": "person", "keypoints": list(sk.joint_names),
             "skeleton": [[a + 1, b + 1] for a, b in sk.edges]}], 1


def frame_image_ids(project: Project) -> list:
    """The COCO image id of every frame: the file's where carried, else ``frame + 1`` (moved past
    ids already in use)."""
    nf = project.num_frames
    known = {int(f): im["id"] for f, im in (interop(project, "coco").get("images") or {}).items() if "id" in im and 0 <= int(f) < nf}
    used = set(known.values())
    out = []
    for f in range(nf):
        image_id = known.get(f)
        if image_id is None:
            image_id = f + 1
            while image_id in used:
                image_id += nf
            used.add(image_id)
        out.append(image_id)
    return out


def write_coco(project: Project, frames: np.ndarray, people: dict[int, list]) -> dict:
    """COCO dict: images for ``frames`` (bool [F]), frames with people and the source's images;
    annotations for ``people``; what the source file said written back."""
    nf = project.num_frames
    carried = interop(project, "coco")
    names = export_file_names(project.video.frame_names, project.video.path, nf)
    image_ids = frame_image_ids(project)
    categories, cat_id = _categories(project, carried)
    ann_ids = {carried_annotation(t, f).get("id") for f, ts in people.items() for t in ts}
    ann_ids |= {a.get("id") for anns in (carried.get("other") or {}).values() for a in anns}
    next_ann = max([i for i in ann_ids if isinstance(i, int) and not isinstance(i, bool)], default=0) + 1
    listed = set(carried.get("listed") or [])
    images, anns = [], []
    encoded = encode_people(people, False, derive_box=True)
    for f in range(nf):
        if not frames[f] and not people.get(f) and f not in listed:
            continue
        image_id = image_ids[f]
        im = {"id": image_id, "file_name": names[f], "frame_index": f, "is_labeled": bool(frames[f])}
        w, h = project.video.frame_size(f)
        if w and h:
            im["width"], im["height"] = w, h
        polys = project.ignore_regions.get(f, [])
        if polys:
            im["ignore_regions_x"] = [number_list(p[:, 0]) for p in polys]
            im["ignore_regions_y"] = [number_list(p[:, 1]) for p in polys]
        orig = carried_image(carried, f)
        if isinstance(orig.get("file_name"), str) and basename(orig["file_name"]) == basename(names[f]):
            im["file_name"] = orig["file_name"]
        images.append(merge_verbatim(im, orig, _IMAGE_KEYS))
        for t in people.get(f, []):
            orig_a = carried_annotation(t, f)
            ann_id = orig_a.get("id")
            if ann_id is None:
                ann_id, next_ann = next_ann, next_ann + 1
            anns.append(_annotation(t, encoded[t.track_id][f], image_id, ann_id, cat_id, orig_a))
        for a in (carried.get("other") or {}).get(str(f), []):
            anns.append({**a, "image_id": image_id})
    sk = project.skeleton
    doc = dict(carried.get("document") or {})
    info = dict(doc.get("info") or {}) if isinstance(doc.get("info"), dict) else {}
    info.setdefault("description", f"exported by stdpose ({sk.name})")
    info["stdpose"] = {"num_frames": nf, "video": project.video.path, "skeleton": sk.name, "frame_names": names}
    doc["info"] = info
    doc["images"], doc["annotations"], doc["categories"] = images, anns, categories
    return doc


def _annotation(t, enc: dict, image_id, ann_id, cat_id, orig: dict) -> dict:
    box = enc["bbox"]
    area = orig["area"] if is_finite_number(orig.get("area")) else float(box[2] * box[3])
    a = {"id": ann_id, "image_id": image_id, "category_id": cat_id, "track_id": int(t.track_id),
         "keypoints": enc["keypoints"], "num_keypoints": enc["num_keypoints"], "scores": enc["scores"],
         "bbox": box, "area": area, "iscrowd": 0}
    if enc["bbox_head"] is not None:
        a["bbox_head"] = enc["bbox_head"]
    if t.person_id is not None:
        a["person_id"] = int(t.person_id)
    if orig and "scores" not in orig and enc["default_scores"]:
        del a["scores"]  # ground truth without confidences stays without
    if not enc["keypoints_labelled"] and orig.get("keypoints") == []:
        a["keypoints"] = []
    return merge_verbatim(with_attributes(a, enc, orig), orig, _ANNOTATION_KEYS)
