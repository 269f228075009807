"""PoseTrack18 / PoseTrack21 per-video JSON (the official val-file layout).

``images``: ``id``, ``frame_id``, ``vid_id``, ``file_name``, ``nframes``, ``is_labeled``,
``ignore_regions_x/y`` (lists of polygons); ``annotations``: ``image_id``, ``track_id``,
``keypoints`` (17 x (x, y, v)), ``bbox`` and ``bbox_head`` as ``[x, y, w, h]``, ``scores``
(per-joint confidences, ``[]`` in ground truth). PoseTrack21 adds ``person_id``.

Visibility. PoseTrack18 (as written by this module) keeps our 0/1/2 exactly; the official files use
1 for every labelled joint (no occlusion information), which therefore reads as 1. A joint with
``v == 0`` but non-zero coordinates is counted by poseval, so it reads as 1 (labelled, occluded).
PoseTrack21: ``v = 1`` visible → 2, ``v = 0`` with coordinates → 1 (occluded), ``(0, 0, 0)`` → none;
written back the same way (an occluded joint exactly at (0, 0) cannot be expressed).

Frame indices follow :mod:`stdpose_core.io.frames`. Image ids are written equal to ``frame_id``
(the PoseTrack convention), annotation ids as ``image_id * 100 + n``.
"""

from __future__ import annotations

import numpy as np

from stdpose_core.data import Project, VideoInfo
from stdpose_core.errors import InputError
from stdpose_core.io.encode import encode_people, number_list
from stdpose_core.io.frames import MAX_FRAMES, basename, common_folder, export_file_names, layout_frames, natural_key
from stdpose_core.io.jsonfile import is_finite_number
from stdpose_core.io.records import (PersonRecord, first_duplicate, build_project, parse_box, parse_keypoints, parse_regions, parse_scores,
                                     parse_track_id, record_scores, require, parse_attributes, attributes_of)
from stdpose_core.skeleton import Skeleton

#: Image keys this module writes itself; any others are kept in ``meta`` and written back.
_IMAGE_KEYS = {"id", "frame_id", "vid_id", "file_name", "nframes", "is_labeled", "width", "height",
               "ignore_regions_x", "ignore_regions_y"}


def video_ids(data: dict) -> list[str]:
    """Distinct videos in a PoseTrack file (``vid_id``, else the image folder), in first-seen order."""
    seen: dict[str, None] = {}
    for im in data["images"]:
        if isinstance(im, dict):
            seen.setdefault(_vid_of(im), None)
    return list(seen)


def _vid_of(im: dict) -> str:
    vid = im.get("vid_id")
    if vid is not None:
        return str(vid)
    return posixpath_dir(str(im.get("file_name", "")))


def posixpath_dir(name: str) -> str:
    return name.replace("\\", "/").rsplit("/", 1)[0] if "/" in name else ""


def read_posetrack(data: dict, path: str, fmt: str, skeleton: Skeleton, video: str | None = None) -> Project:
    """Parse a PoseTrack18/21 dict (already format-detected) into a Project (skeleton posetrack18)."""
    images, annotations = data["images"], data["annotations"]
    vids = video_ids(data)
    if video is None and len(vids) > 1:
        raise InputError(path, f"holds {len(vids)} videos ({', '.join(vids[:5])}{', ...' if len(vids) > 5 else ''}); choose one (video=...)")
    chosen = video if video is not None else (vids[0] if vids else "")
    if video is not None and video not in vids:
        raise InputError(path, f"no video {video!r}; the file holds {', '.join(vids)}")

    ims: list[dict] = []
    for i, im in enumerate(images):
        require(im, ("file_name",), path, f"images[{i}]")
        if "id" not in im and "frame_id" not in im:
            raise InputError(path, f"images[{i}]: missing key 'id'")
        if not isinstance(im["file_name"], str):
            raise InputError(path, f"images[{i}]: 'file_name' must be a string")
        if _vid_of(im) == chosen:
            ims.append(im)
    ids = [im.get("id", im.get("frame_id")) for im in ims]
    dup = first_duplicate(map(str, ids))
    if dup is not None:
        raise InputError(path, f"image id {dup} is used twice")
    names = [im["file_name"] for im in ims]
    frame_ids = [im.get("frame_id") for im in ims]
    numeric = all(is_finite_number(x) for x in frame_ids)
    order = sorted(range(len(ims)), key=lambda i: (frame_ids[i] if numeric else 0, natural_key(names[i])))
    nframes = {im.get("nframes") for im in ims} - {None}
    n_declared = next(iter(nframes)) if len(nframes) == 1 and is_finite_number(next(iter(nframes))) else None
    if n_declared is not None and not 0 <= n_declared <= MAX_FRAMES:
        raise InputError(path, f"'nframes' is {n_declared:g}; expected 0 to {MAX_FRAMES}")
    layout = layout_frames(names, order, int(n_declared) if n_declared is not None else None)
    nf = layout.num_frames

    frame_of_image = {str(ids[i]): layout.index[i] for i in range(len(ims))}
    labeled = np.zeros(nf, bool)
    regions: dict[int, list[np.ndarray]] = {}
    image_extra: dict[str, dict] = {}
    frame_id_by_frame: dict[str, int | str] = {}
    for i, im in enumerate(ims):
        f = layout.index[i]
        where = f"image {names[i]}"
        labeled[f] = bool(im.get("is_labeled", False))
        polys = parse_regions(im, path, where)
        if polys:
            regions[f] = polys
        if frame_ids[i] is not None:
            frame_id_by_frame[str(f)] = frame_ids[i]
        extra = {k: v for k, v in im.items() if k not in _IMAGE_KEYS}
        if extra:
            image_extra[str(f)] = extra

    k = skeleton.num_joints
    zero_vis = "occluded"
    all_ids = {str(im.get("id", im.get("frame_id"))) for im in images if isinstance(im, dict)}
    records = []
    has_anns: set[int] = set()
    for j, a in enumerate(annotations):
        where = f"annotations[{j}]" + (f" (id {a['id']})" if isinstance(a, dict) and "id" in a else "")
        require(a, ("image_id", "keypoints"), path, where)
        key = str(a["image_id"])
        if key not in frame_of_image:
            if key in all_ids:
                continue  # belongs to another video of a multi-video file
            raise InputError(path, f"{where}: unknown image_id {a['image_id']}")
        f = frame_of_image[key]
        xy, vis, conf = parse_keypoints(a["keypoints"], k, path, where, zero_vis)
        if fmt == "posetrack21":
            # PoseTrack21: v=1 visible, v=0 with coordinates occluded (already 1 above).
            raw_v = np.asarray(a["keypoints"], np.float64).reshape(k, 3)[:, 2]
            vis = np.where(raw_v == 1, 2, vis).astype(np.int8)
        scores = parse_scores(a.get("scores"), k, path, where)
        person_id = parse_track_id(a.get("person_id"), path, where, "person_id")
        records.append(PersonRecord(
            frame=f, track_id=parse_track_id(a.get("track_id"), path, where), xy=xy, vis=vis,
            score=record_scores(vis, scores, conf), bbox=parse_box(a.get("bbox"), path, where, "bbox"),
            head_bbox=parse_box(a.get("bbox_head"), path, where, "bbox_head"), person_id=person_id,
            flags=parse_attributes(a)))
        has_anns.add(f)
    for i, im in enumerate(ims):  # 'is_labeled' missing: labelled when people are annotated there
        if "is_labeled" not in im and layout.index[i] in has_anns:
            labeled[layout.index[i]] = True

    width, height = _size(ims)
    info = VideoInfo(path=common_folder(names), num_frames=nf, width=width, height=height, frame_names=layout.names)
    meta = {"posetrack": {"format": fmt, "vid_id": chosen, "frame_ids": frame_id_by_frame,
                          "categories": data.get("categories", []), "image_extra": image_extra}}
    return build_project(skeleton, info, records, labeled, regions, meta, path)


def _size(ims: list[dict]) -> tuple[int, int]:
    for im in ims:
        w, h = im.get("width"), im.get("height")
        if is_finite_number(w) and is_finite_number(h):
            return int(w), int(h)
    return 0, 0


def _frame_ids(project: Project, vid_id: str) -> list[int | str]:
    known = {int(f): v for f, v in project.meta.get("posetrack", {}).get("frame_ids", {}).items()}
    nums = {f: v for f, v in known.items() if is_finite_number(v) and 0 <= f < project.num_frames}
    if nums:
        f0, v0 = next(iter(nums.items()))
        base = int(v0) - f0
    elif vid_id.isdigit() and len(vid_id) <= 8:
        base = int(f"1{vid_id}0000")  # PoseTrack: frame 0 of video 012834 is 10128340000
    else:
        base = 1
    return [known.get(f, base + f) for f in range(project.num_frames)]


def default_vid_id(project: Project) -> str:
    vid = project.meta.get("posetrack", {}).get("vid_id")
    if vid:
        return str(vid)
    stem = basename(project.video.path).split(".")[0] if project.video.path else ""
    digits = stem.split("_")[0]
    return digits if digits.isdigit() else (stem or "000000")


def write_posetrack(project: Project, fmt: str, frames: np.ndarray, people: dict[int, list]) -> dict:
    """PoseTrack18/21 dict for ``project`` (already in the PoseTrack18 skeleton).

    ``frames[F]`` bool marks frames written as labelled; ``people[f]`` lists the tracks to write on
    frame f. Every frame of the video gets an image entry.
    """
    nf = project.num_frames
    vid = default_vid_id(project)
    fids = _frame_ids(project, vid)
    names = export_file_names(project.video.frame_names, project.video.path, nf)
    extra = project.meta.get("posetrack", {}).get("image_extra", {})
    images, anns = [], []
    many = any(len(v) >= 100 for v in people.values())
    next_ann = 1
    encoded = encode_people(people, fmt == "posetrack21")
    for f in range(nf):
        im = {"id": fids[f], "frame_id": fids[f], "vid_id": vid, "file_name": names[f], "nframes": nf,
              "is_labeled": bool(frames[f])}
        if project.video.width and project.video.height:
            im["width"], im["height"] = project.video.width, project.video.height
        polys = project.ignore_regions.get(f, [])
        im["ignore_regions_x"] = [number_list(p[:, 0]) for p in polys]
        im["ignore_regions_y"] = [number_list(p[:, 1]) for p in polys]
        im.update(extra.get(str(f), {}))
        images.append(im)
        for n, t in enumerate(people.get(f, [])):
            ann_id = fids[f] * 100 + n if (isinstance(fids[f], int) and not many) else next_ann
            next_ann += 1
            anns.append(_annotation(t, encoded[t.track_id][f], fids[f], ann_id, fmt))
            if attributes_of(t, f):
                anns[-1]["attributes"] = attributes_of(t, f)
    cats = project.meta.get("posetrack", {}).get("categories") or [_category(project.skeleton)]
    return {"images": images, "annotations": anns, "categories": cats}


def _annotation(t, enc: dict, image_id, ann_id: int, fmt: str) -> dict:
    a = {"id": ann_id, "image_id": image_id, "track_id": int(t.track_id), "category_id": 1,
         "keypoints": enc["keypoints"], "scores": enc["scores"], "num_keypoints": enc["num_keypoints"], "iscrowd": False}
    if fmt == "posetrack21":
        a["person_id"] = int(t.person_id if t.person_id is not None else t.track_id)
    for key in ("bbox", "bbox_head"):
        if enc[key] is not None:
            a[key] = enc[key]
    return a


def _category(skeleton: Skeleton) -> dict:
    return {"supercategory": "person", "id": 1, "name": "person", "keypoints": list(skeleton.joint_names),
            "skeleton": [[a + 1, b + 1] for a, b in skeleton.edges]}

