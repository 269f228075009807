"""Which annotation format a parsed JSON document is."""

from __future__ import annotations

from typing import Any

from stdpose_core.errors import InputError

FORMATS = ("posetrack18", "posetrack21", "coco")


def detect_format(data: Any, path: str) -> str:
    """``posetrack18``, ``posetrack21`` or ``coco``; :class:`InputError` for anything else.

    PoseTrack: images carry ``vid_id``/``frame_id``/``nframes``; PoseTrack21 when annotations carry
    ``person_id``. COCO: ``images`` + ``annotations`` without those video fields.
    """
    if isinstance(data, list):
        raise InputError(path, "unknown annotation format: top level is a list (a COCO results or detections file?); "
                               "expected an object with 'images' and 'annotations' (PoseTrack18/21 or COCO keypoints)")
    if not isinstance(data, dict):
        raise InputError(path, f"unknown annotation format: top level is a {type(data).__name__}")
    if "annolist" in data:
        raise InputError(path, "PoseTrack 2017 ('annolist') files are not supported; convert them to PoseTrack18 JSON with poseval's convert.py")
    missing = [k for k in ("images", "annotations") if k not in data]
    if missing:
        raise InputError(path, f"unknown annotation format: missing key {', '.join(repr(m) for m in missing)} "
                               "(expected PoseTrack18/21 or COCO keypoints JSON)")
    for key in ("images", "annotations"):
        if not isinstance(data[key], list):
            raise InputError(path, f"'{key}' must be a list, got {type(data[key]).__name__}")
    video_keys = ("vid_id", "frame_id", "nframes")
    if any(isinstance(im, dict) and any(k in im for k in video_keys) for im in data["images"]):
        if any(isinstance(a, dict) and "person_id" in a for a in data["annotations"]):
            return "posetrack21"
        return "posetrack18"
    return "coco"
