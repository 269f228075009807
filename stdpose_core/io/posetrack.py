"""PoseTrack18 / PoseTrack21 per-video JSON (the official val-file layout).

``images``: ``id``, ``frame_id``, ``vid_id``, ``file_name``, ``nframes``, ``is_labeled``,
``ignore_regions_x/y`` (lists of polygons); ``annotations``: ``image_id``, ``track_id``,
``keypoints`` (17 x (x, y, v)), ``bbox`` and ``bbox_head`` as ``[x, y, w, h]``, ``scores``
(per-joint confidences, ``[]`` in ground truth). PoseTrack21 adds ``person_id``.

Visibility, per format (docs/adr/0007). Two conventions, both invertible:

* ``labelled`` — the official PoseTrack18 files and PoseTrack21: ``v = 1`` on a labelled joint
  (PoseTrack21: visible), ``v = 0`` with non-zero coordinates a labelled but occluded joint (poseval
  counts every joint that is not (0, 0, 0)), ``(0, 0, 0)`` not labelled. Read as 2 / 1 / 0. Genuine
  PoseTrack18 files mark every labelled joint 1 and say nothing about occlusion, so their joints
  read as visible (2); PoseTrack21 and COCO exports then write them as visible (1 and 2), which
  tools that count ``v > 0`` (ultralytics' converter) keep. An occluded joint exactly at (0, 0)
  cannot be expressed (exports leave it unlabelled and say so).
* ``exact`` — PoseTrack18 files written by this module for projects that did not come from an
  official file: our 0/1/2, marked by the top-level ``"stdpose": {"visibility": "exact"}``. A
  PoseTrack18 file with any ``v = 2`` also reads exactly (a COCO-style writer's 0/1/2).

A project from an official-convention file is written back in that convention, so a genuine
file's ``v`` values come back as they were.

Frame indices follow :mod:`stdpose_core.io.frame_names`. Ids: the file's own image, frame and
annotation ids, ``vid_id``, ``nframes`` and ``file_name`` folder prefixes are carried and written
back (:mod:`stdpose_core.io.carry`); new frames get image ids continuing the file's numbering (or
``1<vid_id>0000 + frame``, the PoseTrack convention), new annotations ``image_id * 100 + n``.
"""

from __future__ import annotations

import numpy as np

from stdpose_core.data import Project, VideoInfo
from stdpose_core.errors import InputError
from stdpose_core.io.carry import INTEROP, carried_annotation, carried_image, interop, merge_verbatim, new_interop
from stdpose_core.io.encode import encode_people, number_list, with_attributes
from stdpose_core.io.frame_names import MAX_FRAMES, basename, common_folder, export_file_names, layout_frames, natural_key
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
from stdpose_core.skeleton import Skeleton

#: Image keys this module writes from the project; any others are carried verbatim.
_IMAGE_KEYS = frozenset({"id", "frame_id", "vid_id", "file_name", "nframes", "is_labeled", "width", "height",
                         "ignore_regions_x", "ignore_regions_y"})
#: Annotation keys written from the project (a carried ``bbox_head`` the project no longer has is dropped).
_ANNOTATION_KEYS = frozenset({"id", "image_id", "track_id", "person_id", "category_id", "keypoints", "scores",
                              "num_keypoints", "iscrowd", "bbox", "bbox_head"})
#: Top-level key of a PoseTrack18 file written in the exact 0/1/2 visibility convention.
MARKER_KEY = "stdpose"


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


def _choose_video(data: dict, path: str, video: str | None) -> str:
    vids = video_ids(data)
    if video is None and len(vids) > 1:
        raise InputError(path, f"holds {len(vids)} videos ({', '.join(vids[:5])}{', ...' if len(vids) > 5 else ''}); "
                               "choose one (--video VID on the command line)")
    if video is not None and video not in vids:
        raise InputError(path, f"no video {video!r}; the file holds {', '.join(vids)}")
    return video if video is not None else (vids[0] if vids else "")


def _video_images(images: list, path: str, chosen: str) -> list[dict]:
    """The image entries of video ``chosen``, checked."""
    ims = []
    for i, im in enumerate(images):
        require(im, ("file_name",), path, f"images[{i}]")
        if "id" not in im and "frame_id" not in im:
            raise InputError(path, f"images[{i}]: missing key 'id'")
        if not isinstance(im["file_name"], str):
            raise InputError(path, f"images[{i}]: 'file_name' must be a string")
        if _vid_of(im) == chosen:
            ims.append(im)
    dup = first_duplicate(str(_image_id(im)) for im in ims)
    if dup is not None:
        raise InputError(path, f"image id {dup} is used twice")
    return ims


def _image_id(im: dict):
    return im.get("id", im.get("frame_id"))


def _layout(ims: list[dict], path: str):
    """Frame index of every image (module rule in :mod:`stdpose_core.io.frame_names`)."""
    names = [im["file_name"] for im in ims]
    frame_ids = [im.get("frame_id") for im in ims]
    numeric = all(is_finite_number(x) for x in frame_ids)
    order = sorted(range(len(ims)), key=lambda i: (frame_ids[i] if numeric else 0, natural_key(names[i])))
    nframes = {im.get("nframes") for im in ims} - {None}
    n_declared = next(iter(nframes)) if len(nframes) == 1 and is_finite_number(next(iter(nframes))) else None
    if n_declared is not None and not 0 <= n_declared <= MAX_FRAMES:
        raise InputError(path, f"'nframes' is {n_declared:g}; expected 0 to {MAX_FRAMES}")
    return layout_frames(names, order, int(n_declared) if n_declared is not None else None)


def _frame_info(ims: list[dict], index: list[int], nf: int, path: str) -> tuple[np.ndarray, dict]:
    labeled = np.zeros(nf, bool)
    regions: dict[int, list[np.ndarray]] = {}
    for im, f in zip(ims, index):
        labeled[f] = bool(im.get("is_labeled", False))
        polys = parse_regions(im, path, f"image {im['file_name']}")
        if polys:
            regions[f] = polys
    return labeled, regions


def visibility_convention(annotations: list, fmt: str, document: dict) -> str:
    """``"labelled"`` when a PoseTrack18 file follows the official convention (``v`` is 0 or 1,
    1 on every labelled joint: no occlusion information), else ``"exact"`` (see module docstring)."""
    if fmt != "posetrack18":
        return "labelled"  # PoseTrack21: 1 visible, 0 with coordinates occluded — the same mapping
    marker = document.get(MARKER_KEY)
    if isinstance(marker, dict) and marker.get("visibility") == "exact":
        return "exact"
    for a in annotations:
        kp = a.get("keypoints") if isinstance(a, dict) else None
        if isinstance(kp, list) and any(v == 2 for v in kp[2::3] if is_finite_number(v)):
            return "exact"
    return "labelled"


def _records(annotations: list, frame_of_image: dict, all_ids: set, k: int, convention: str, path: str) -> tuple[list[PersonRecord], dict]:
    """People of the chosen video, and per frame the entries that are no person (nothing labelled, no box)."""
    records, other = [], {}
    for j, a in enumerate(annotations):
        where = f"annotations[{j}]" + (f" (id {a['id']})" if isinstance(a, dict) and "id" in a else "")
        require(a, ("image_id", "keypoints"), path, where)
        key = str(a["image_id"])
        if key not in frame_of_image:
            if key in all_ids:
                continue  # belongs to another video of a multi-video file
            raise InputError(path, f"{where}: unknown image_id {a['image_id']}")
        xy, vis, conf = parse_keypoints(a["keypoints"], k, path, where, "occluded")
        if convention == "labelled" and a["keypoints"]:
            # v = 1 → visible (2); v = 0 with coordinates → occluded (1, set by parse_keypoints).
            raw_v = np.asarray(a["keypoints"], np.float64).reshape(k, 3)[:, 2]
            vis = np.where(raw_v == 1, 2, vis).astype(np.int8)
        scores = parse_scores(a.get("scores"), k, path, where)
        r = PersonRecord(
            frame=frame_of_image[key], track_id=parse_track_id(a.get("track_id"), path, where), xy=xy, vis=vis,
            score=record_scores(vis, scores, conf), bbox=parse_box(a.get("bbox"), path, where, "bbox"),
            head_bbox=parse_box(a.get("bbox_head"), path, where, "bbox_head"),
            person_id=parse_track_id(a.get("person_id"), path, where, "person_id"),
            extra={key_: v for key_, v in a.items() if key_ != "image_id"})
        if is_empty(r):
            other.setdefault(str(r.frame), []).append(a)
        else:
            records.append(r)
    return records, other


def read_posetrack(data: dict, path: str, fmt: str, skeleton: Skeleton, video: str | None = None) -> Project:
    """Parse a PoseTrack18/21 dict (already format-detected) into a Project (skeleton posetrack18).

    Everything the file says beyond the project's arrays is carried (:mod:`stdpose_core.io.carry`).
    """
    chosen = _choose_video(data, path, video)
    ims = _video_images(data["images"], path, chosen)
    layout = _layout(ims, path)
    nf = layout.num_frames
    labeled, regions = _frame_info(ims, layout.index, nf, path)
    frame_of_image = {str(_image_id(im)): f for im, f in zip(ims, layout.index)}
    all_ids = {str(_image_id(im)) for im in data["images"] if isinstance(im, dict)}
    convention = visibility_convention(data["annotations"], fmt, data)
    records, other = _records(data["annotations"], frame_of_image, all_ids, skeleton.num_joints, convention, path)
    has_anns = {r.frame for r in records}
    for im, f in zip(ims, layout.index):  # 'is_labeled' missing: labelled when people are annotated there
        if "is_labeled" not in im and f in has_anns:
            labeled[f] = True

    width, height = _size(ims)
    names = [im["file_name"] for im in ims]
    info = VideoInfo(path=common_folder(names), num_frames=nf, width=width, height=height, frame_names=layout.names)
    carried = new_interop(fmt, path, data, convention)
    carried["document"].pop(MARKER_KEY, None)
    carried["vid_id"] = chosen
    carried["images"] = {str(f): im for im, f in zip(ims, layout.index)}
    carried["listed"] = sorted(layout.index)
    carried["other"] = other
    return build_project(skeleton, info, records, labeled, regions, {INTEROP: carried}, path)


def _size(ims: list[dict]) -> tuple[int, int]:
    for im in ims:
        w, h = im.get("width"), im.get("height")
        if is_finite_number(w) and is_finite_number(h):
            return int(w), int(h)
    return 0, 0


def _frame_ids(project: Project, vid_id: str, carried: dict) -> list:
    """Image id of every frame: the file's where carried, else continuing its numbering, else the
    PoseTrack convention ``1<vid_id>0000 + frame``."""
    known = {f: _image_id(im) for f, im in ((int(f), im) for f, im in carried.get("images", {}).items()) if 0 <= f < project.num_frames}
    nums = {f: v for f, v in known.items() if isinstance(v, int) and not isinstance(v, bool)}
    if nums:
        f0, v0 = min(nums.items())
        base = int(v0) - f0
    elif vid_id.isdigit() and len(vid_id) <= 8:
        base = int(f"1{vid_id}0000")  # PoseTrack: frame 0 of video 012834 is 10128340000
    else:
        base = 1
    used = set(known.values())
    out = []
    for f in range(project.num_frames):
        v = known.get(f)
        if v is None:
            v = base + f
            while v in used:
                v += project.num_frames
        out.append(v)
    return out


def default_vid_id(project: Project, carried: dict | None = None) -> str:
    vid = (carried or {}).get("vid_id")
    if vid:
        return str(vid)
    stem = basename(project.video.path).split(".")[0] if project.video.path else ""
    digits = stem.split("_")[0]
    return digits if digits.isdigit() else (stem or "000000")


def written_frames(project: Project, frames: np.ndarray, people: dict[int, list], carried: dict) -> list[int]:
    """Frames that get an image entry: those the source file listed plus every frame with
    annotation, or every frame of the video when no file was imported."""
    if not carried.get("listed"):
        return list(range(project.num_frames))
    keep = set(carried["listed"]) | set(np.flatnonzero(frames).tolist()) | {f for f, ts in people.items() if ts}
    keep |= set(project.ignore_regions)
    return sorted(f for f in keep if 0 <= f < project.num_frames)


def _image(project: Project, f: int, image_id, vid: str, name: str, labelled: bool, carried: dict) -> dict:
    orig = carried_image(carried, f)
    nframes = orig.get("nframes") if is_finite_number(orig.get("nframes")) and orig["nframes"] >= project.num_frames else project.num_frames
    im = {"id": image_id, "frame_id": orig.get("frame_id", image_id), "vid_id": vid, "file_name": name,
          "nframes": nframes, "is_labeled": bool(labelled)}
    w, h = project.video.frame_size(f)
    if w and h:
        im["width"], im["height"] = w, h
    polys = project.ignore_regions.get(f, [])
    if polys or not orig or "ignore_regions_x" in orig:  # a source without the keys gets none added
        im["ignore_regions_x"] = [number_list(p[:, 0]) for p in polys]
        im["ignore_regions_y"] = [number_list(p[:, 1]) for p in polys]
    if isinstance(orig.get("file_name"), str) and basename(orig["file_name"]) == basename(name):
        im["file_name"] = orig["file_name"]  # the file's own folder prefix (images/val/...)
    return merge_verbatim(im, orig, _IMAGE_KEYS)


def write_posetrack(project: Project, fmt: str, frames: np.ndarray, people: dict[int, list]) -> dict:
    """PoseTrack18/21 dict for ``project`` (already in the PoseTrack18 skeleton).

    ``frames[F]`` bool marks frames written as labelled; ``people[f]`` lists the tracks to write on
    frame f (on any frame, labelled or not: PoseTrack21 has box-only people on unlabelled frames).
    Image entries: see :func:`written_frames`. What the source file said is written back
    (:mod:`stdpose_core.io.carry`).
    """
    carried = interop(project, "posetrack")
    vid = default_vid_id(project, carried)
    fids = _frame_ids(project, vid, carried)
    names = export_file_names(project.video.frame_names, project.video.path, project.num_frames)
    convention = written_convention(project, fmt)
    images, anns = [], []
    ann_id = _AnnotationIds(people, carried)
    encoded = encode_people(people, convention == "labelled")
    for f in written_frames(project, frames, people, carried):
        images.append(_image(project, f, fids[f], vid, names[f], frames[f], carried))
        for n, t in enumerate(people.get(f, [])):
            orig = carried_annotation(t, f)
            anns.append(_annotation(t, encoded[t.track_id][f], fids[f], ann_id(orig, fids[f], n), fmt, orig))
        for a in (carried.get("other") or {}).get(str(f), []):
            anns.append({**a, "image_id": fids[f]})
    doc = dict(carried.get("document") or {})
    doc.pop(MARKER_KEY, None)
    doc["images"], doc["annotations"] = images, anns
    if not doc.get("categories"):
        doc["categories"] = [_category(project.skeleton)]
    if convention == "exact":
        doc[MARKER_KEY] = {"visibility": "exact", "meaning": "keypoint v: 0 not labelled, 1 occluded, 2 visible"}
    return doc


class _AnnotationIds:
    """Annotation ids: the file's where carried; else ``image_id * 100 + n`` (PoseTrack's
    convention) when free, else the next number after the largest in use."""

    def __init__(self, people: dict[int, list], carried: dict):
        self.used = {carried_annotation(t, f).get("id") for f, ts in people.items() for t in ts}
        self.used |= {a.get("id") for anns in (carried.get("other") or {}).values() for a in anns}
        self.used.discard(None)
        self.many = any(len(v) >= 100 for v in people.values())
        self.next = max([i for i in self.used if isinstance(i, int)], default=0) + 1

    def __call__(self, orig: dict, image_id, n: int):
        if orig.get("id") is not None:
            return orig["id"]
        if isinstance(image_id, int) and not self.many and image_id * 100 + n not in self.used:
            new = image_id * 100 + n
        else:
            new, self.next = self.next, self.next + 1
        self.used.add(new)
        return new


def written_convention(project: Project, fmt: str) -> str:
    """Visibility convention a PoseTrack file of ``project`` is written in: PoseTrack21 always
    ``labelled`` (1 visible, 0 with coordinates occluded); PoseTrack18 ``labelled`` when the
    project came from an official-convention file, else ``exact`` 0/1/2 (module docstring)."""
    if fmt == "posetrack21":
        return "labelled"
    return "labelled" if interop(project, "posetrack").get("visibility") == "labelled" else "exact"


def _annotation(t, enc: dict, image_id, ann_id, fmt: str, orig: dict) -> dict:
    a = {"id": ann_id, "image_id": image_id, "track_id": int(t.track_id), "category_id": orig.get("category_id", 1),
         "keypoints": enc["keypoints"], "scores": enc["scores"], "num_keypoints": enc["num_keypoints"], "iscrowd": False}
    if fmt == "posetrack21":
        a["person_id"] = int(t.person_id if t.person_id is not None else t.track_id)
    for key in ("bbox", "bbox_head"):
        if enc[key] is not None:
            a[key] = enc[key]
    if orig.get("scores") == [] and enc["default_scores"]:
        a["scores"] = []  # ground truth without confidences stays without
    if not enc["keypoints_labelled"] and orig.get("keypoints") == []:
        a["keypoints"] = []
    return merge_verbatim(with_attributes(a, enc, orig), orig, _ANNOTATION_KEYS)


def _category(skeleton: Skeleton) -> dict:
    return {"supercategory": "person", "id": 1, "name": "person", "keypoints": list(skeleton.joint_names),
            "skeleton": [[a + 1, b + 1] for a, b in skeleton.edges]}
