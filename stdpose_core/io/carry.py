"""What a file says that the project does not model, kept so an export writes it back verbatim.

Readers keep, in ``project.meta["interop"]`` (see :func:`new_interop`):

* ``format`` / ``family`` (``posetrack`` or ``coco``) and ``source_file``;
* ``document``: every top-level key except ``images``/``annotations`` (``categories`` with their
  ``skeleton`` edges, ``info``, ``licenses``, ...);
* ``images``: per frame (``str(frame)``), the file's whole image entry (ids, ``file_name``,
  ``vid_id``, ``nframes``, ``mask_file``, ``has_no_densepose``, ``has_labeled_person``, sizes, urls...);
* ``listed``: the frames the file listed (PoseTrack files need not list every frame);
* ``other``: per frame, annotations that are not people the project tracks, verbatim: COCO crowd
  regions (``iscrowd`` 1), other categories, and entries with neither a joint nor a box;
* ``visibility``: ``"labelled"`` for PoseTrack18 files in the official convention (``v = 1`` on
  every labelled joint, no occlusion information), else ``"exact"``.

and per person, ``track.extra["annotations"][str(frame)]``: the file's annotation entry without
``image_id`` (``id``, ``area``, ``segmentation``, ``attributes``, ``scores: []``, ...).

Writers build each entry from the project, then :func:`merge_verbatim` it with the carried one:
keys the project does not model come back unchanged, modelled values that still say the same
(equal as float32, as the project stores them) are written in the file's own spelling, and
changed values are written new. Carried entries are only applied within one family (a COCO
image's ``coco_url`` is not written into a PoseTrack file).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

INTEROP = "interop"
ANNOTATIONS = "annotations"

#: Formats whose entries share a layout (carried entries are applied within a family).
FAMILY = {"posetrack18": "posetrack", "posetrack21": "posetrack", "coco": "coco", "coco-results": "coco"}


def new_interop(fmt: str, source_file: str, document: dict, visibility: str = "exact") -> dict:
    return {"format": fmt, "family": FAMILY.get(fmt, fmt), "source_file": source_file,
            "document": {k: v for k, v in document.items() if k not in ("images", "annotations")},
            "images": {}, "listed": [], "other": {}, "visibility": visibility}


def interop(project, family: str | None = None) -> dict:
    """The project's carried file data (``{}`` when none, or when of another ``family``)."""
    data = project.meta.get(INTEROP) or {}
    if family is not None and data.get("family") != family:
        return {}
    return data


def carried_image(data: dict, frame: int) -> dict:
    return (data.get("images") or {}).get(str(frame)) or {}


def carried_annotation(track, frame: int) -> dict:
    return ((track.extra or {}).get(ANNOTATIONS) or {}).get(str(frame)) or {}


def _number(v: Any) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool)


def same_value(a: Any, b: Any) -> bool:
    """Whether ``a`` (as written from the project) says what ``b`` (the file's value) says.

    Integers compare exactly (ids need every digit); other numbers as float32, the precision the
    project stores; booleans equal 0/1 (``iscrowd: false`` is ``0``); lists and objects elementwise.
    """
    if isinstance(a, bool) or isinstance(b, bool):
        return (_number(a) or isinstance(a, bool)) and (_number(b) or isinstance(b, bool)) and int(a) == int(b) and float(a) == float(b)
    if _number(a) and _number(b):
        if isinstance(a, int) and isinstance(b, int):
            return a == b
        if not (math.isfinite(a) and math.isfinite(b)):
            return False
        return bool(np.float32(a) == np.float32(b))
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(same_value(x, y) for x, y in zip(a, b))
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(same_value(a[k], b[k]) for k in a)
    return type(a) is type(b) and a == b


def _box32(v: Any) -> np.ndarray | None:
    if not (isinstance(v, list) and len(v) == 4 and all(_number(x) and math.isfinite(x) for x in v)):
        return None
    x, y, w, h = v  # as the readers do: sums in float64, then float32
    return np.array([x, y, x + w, y + h], np.float32)


def same_box(a: Any, b: Any) -> bool:
    """Boxes ``[x, y, w, h]`` that read as the same float32 ``x1, y1, x2, y2`` (how the project
    stores them), although ``w`` and ``h`` may be spelt differently."""
    ba, bb = _box32(a), _box32(b)
    return ba is not None and bb is not None and bool(np.array_equal(ba, bb))


#: Keys whose sameness is judged by what a reader makes of them, not number by number.
SAME_AS = {"bbox": same_box, "bbox_head": same_box}


def merge_verbatim(new: dict, orig: dict, modelled: set[str] | frozenset[str]) -> dict:
    """``new`` (an entry written from the project) combined with ``orig`` (the file's entry).

    In ``orig``'s key order: keys outside ``modelled`` are carried; a modelled key keeps the file's
    spelling when :func:`same_value`, takes ``new``'s value when it changed, and is left out when
    ``new`` no longer has it (e.g. a deleted head box). Keys only ``new`` has follow.
    """
    out: dict = {}
    for k, v in orig.items():
        if k in new:
            same = SAME_AS.get(k, same_value)
            out[k] = v if same_value(new[k], v) or same(new[k], v) else new[k]
        elif k not in modelled:
            out[k] = v
    for k, v in new.items():
        if k not in out:
            out[k] = v
    return out


def remap_interop(data: dict, fmap: np.ndarray) -> dict:
    """``data`` with its per-frame entries moved to frames ``fmap[f]`` (-1: dropped)."""
    def move(d: dict) -> dict:
        return {str(int(fmap[int(f)])): v for f, v in (d or {}).items() if 0 <= int(f) < len(fmap) and fmap[int(f)] >= 0}

    out = dict(data)
    out["images"], out["other"] = move(data.get("images")), move(data.get("other"))
    out["listed"] = sorted(int(fmap[f]) for f in data.get("listed", []) if 0 <= f < len(fmap) and fmap[f] >= 0)
    return out


def merge_interop(old: dict, new: dict) -> dict:
    """Carried data after importing ``new`` into a project that carries ``old``: per-frame entries
    of the same format are combined (``new`` wins on a frame both have); another format replaces."""
    if not old or old.get("format") != new.get("format"):
        return new
    out = dict(new)
    out["images"] = {**(old.get("images") or {}), **(new.get("images") or {})}
    out["other"] = {**(old.get("other") or {}), **(new.get("other") or {})}
    out["listed"] = sorted(set(old.get("listed", [])) | set(new.get("listed", [])))
    return out


def remap_annotations(extra: dict, src_frames: np.ndarray, dst_frames: np.ndarray) -> dict:
    """``track.extra`` with its per-frame annotation entries moved from ``src_frames[i]`` to
    ``dst_frames[i]`` (entries of frames not listed are dropped)."""
    anns = (extra or {}).get(ANNOTATIONS)
    if not anns:
        return dict(extra or {})
    where = dict(zip(map(int, src_frames), map(int, dst_frames)))
    out = dict(extra)
    out[ANNOTATIONS] = {str(where[int(f)]): v for f, v in anns.items() if int(f) in where}
    return out
