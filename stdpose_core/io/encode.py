"""Writing float32 arrays as short JSON numbers that read back to exactly the same float32."""

from __future__ import annotations

import numpy as np

from stdpose_core.data.boxes import joints_box
from stdpose_core.data.track import TrackFlag


def compact(values: np.ndarray) -> np.ndarray:
    """float64 values, each the shortest decimal (up to 6 places) whose float32 is the input float32.

    ``409.52542`` instead of ``409.5254211425781``; integers stay integral. Values that need more
    places keep their exact float64 form, so reading them back as float32 is always lossless.
    """
    v32 = np.asarray(values, np.float32)
    exact = v32.astype(np.float64)
    out = exact.copy()
    todo = np.ones(v32.shape, bool)
    for places in range(7):
        r = np.round(exact, places)
        ok = todo & (r.astype(np.float32) == v32)
        out[ok] = r[ok]
        todo &= ~ok
        if not todo.any():
            break
    return out


def _py(values: list) -> list:
    return [int(x) if x.is_integer() and abs(x) < 2**53 else x for x in values]


def number_list(values: np.ndarray) -> list:
    """Flat JSON list of compact numbers; integral values as ints (``1079`` not ``1079.0``)."""
    return _py(compact(np.ravel(values)).tolist())


def number_rows(values: np.ndarray) -> list[list]:
    """:func:`number_list` of every row of ``values[N, ...]``, compacted in one vectorised pass."""
    c = compact(values).reshape(len(values), -1)
    return [_py(row) for row in c.tolist()]


def box_rows(boxes: np.ndarray) -> list[list]:
    """``[N,4]`` float32 ``x1, y1, x2, y2`` → JSON ``[x, y, w, h]`` rows such that a reader computing
    ``float32(x + w)`` gets ``x2`` back exactly (short decimals where they do, exact values otherwise)."""
    b = np.asarray(boxes, np.float32).reshape(-1, 4)
    xy = compact(b[:, :2])
    wh = np.round(compact(b[:, 2:]) - xy, 6)
    bad = ((xy + wh).astype(np.float32) != b[:, 2:]).any(axis=1)
    xy[bad] = b[bad, :2].astype(np.float64)
    wh[bad] = b[bad, 2:].astype(np.float64) - xy[bad]
    return [_py(row) for row in np.concatenate([xy, wh], axis=1).tolist()]


def encode_track(track, frames: np.ndarray, occlusion_as_zero: bool = False, derive_box: bool = False) -> dict[int, dict]:
    """JSON fields of one track on ``frames`` (compacted in one pass per track).

    Per frame: ``keypoints`` (flat x, y, v; (0, 0, 0) where not labelled; v = our 0/1/2, or with
    ``occlusion_as_zero`` PoseTrack's 1 visible / 0 occluded), ``scores``, ``num_keypoints``,
    ``bbox``/``bbox_head`` as ``[x, y, w, h]`` or None, ``default_scores`` (every labelled joint
    scores 1: nothing a reader would not rebuild), ``keypoints_labelled`` and ``truncated`` (the
    person's TRUNCATED flag, written by :func:`with_attributes`). ``derive_box`` fills a missing person box
    with the labelled joints' extent (COCO needs one).
    """
    frames = np.asarray(frames, np.int64)
    if len(frames) == 0:
        return {}
    vis = track.vis[frames]
    lab = vis > 0
    v = np.where(vis == 2, 1, 0) if occlusion_as_zero else vis
    kp = np.concatenate([np.where(lab[..., None], track.xy[frames], 0), v[..., None].astype(np.float32)], axis=-1)
    kps = number_rows(kp)
    scores = number_rows(np.where(lab, track.score[frames], 0))
    boxes = track.bbox[frames].copy()
    if derive_box:
        for i in np.flatnonzero(~np.isfinite(boxes).all(axis=1)):
            box = joints_box(track.xy[frames[i]], lab[i])
            boxes[i] = 0 if box is None else box
    has_box = np.isfinite(boxes).all(axis=1)
    has_head = np.isfinite(track.head_bbox[frames]).all(axis=1)
    box_list = box_rows(np.where(has_box[:, None], boxes, 0))
    head_list = box_rows(np.where(has_head[:, None], track.head_bbox[frames], 0))
    nk = lab.sum(axis=1).tolist()
    # scores a reader would rebuild anyway (1 on labelled joints): ground truth without confidences
    default = (np.where(lab, track.score[frames], 0) == lab.astype(np.float32)).all(axis=1).tolist()
    truncated = ((track.flags[frames] & np.uint8(TrackFlag.TRUNCATED)) != 0).tolist()
    return {int(f): {"keypoints": kps[i], "scores": scores[i], "num_keypoints": nk[i],
                     "bbox": box_list[i] if has_box[i] else None, "bbox_head": head_list[i] if has_head[i] else None,
                     "default_scores": default[i], "keypoints_labelled": nk[i] > 0, "truncated": truncated[i]}
            for i, f in enumerate(frames.tolist())}


def encode_people(people: dict[int, list], pt21: bool, derive_box: bool = False) -> dict[int, dict[int, dict]]:
    """Encoded JSON fields per track and frame for the people written on each frame."""
    frames_of: dict[int, list[int]] = {}
    tracks = {}
    for f, ts in people.items():
        for t in ts:
            frames_of.setdefault(t.track_id, []).append(f)
            tracks[t.track_id] = t
    return {tid: encode_track(tracks[tid], np.array(sorted(fs)), occlusion_as_zero=pt21, derive_box=derive_box) for tid, fs in frames_of.items()}


def with_attributes(a: dict, enc: dict, orig: dict) -> dict:
    """Annotation entry ``a`` with the ``"attributes"`` object (CVAT's convention) saying whether the
    person is truncated, when it is or the file's entry ``orig`` said so; the file's other attributes
    are kept. Readers take it back with :func:`flags_from_entry`."""
    attrs = orig.get("attributes")
    attrs = dict(attrs) if isinstance(attrs, dict) else {}
    said = "truncated" in attrs
    if enc.get("truncated") or said:
        attrs["truncated"] = bool(enc.get("truncated"))
    if attrs:
        a["attributes"] = attrs
    return a


def flags_from_entry(entry: dict) -> int:
    """TrackFlag bits an annotation entry's ``"attributes"`` say (``{"truncated": true}``)."""
    attrs = entry.get("attributes") if isinstance(entry, dict) else None
    return int(TrackFlag.TRUNCATED) if isinstance(attrs, dict) and attrs.get("truncated") in (True, 1, "true") else 0
