"""A person followed through a video: struct-of-arrays over all frames."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import IntFlag

import numpy as np

from stdpose_core.data.source import is_human

#: Per-frame array fields of a Track, with dtype and per-frame shape (K = joints).
FRAME_FIELDS: dict[str, tuple[np.dtype, str]] = {
    "xy": (np.dtype(np.float32), "K2"),
    "vis": (np.dtype(np.int8), "K"),
    "score": (np.dtype(np.float32), "K"),
    "source": (np.dtype(np.uint8), "K"),
    "model_version": (np.dtype(np.int16), "K"),
    "reviewed": (np.dtype(np.bool_), ""),
    "bbox": (np.dtype(np.float32), "4"),
    "head_bbox": (np.dtype(np.float32), "4"),
    "flags": (np.dtype(np.uint8), ""),
}


class TrackFlag(IntFlag):
    """Per-frame attributes of a person (bits of ``Track.flags``)."""

    OUTSIDE = 1  # the person is known to be out of view on this frame (not "not annotated yet")
    TRUNCATED = 2  # the person is partly outside the image (cut off by the frame edge)
    BOX_SET = 4  # a person drew or resized this box: detection and propagation keep it


def person_name(track_id: int) -> str:
    """How every view, dialog and message names a person: ``P<track id>`` (the canvas prefixes the
    number key that selects it, e.g. ``1: P0``)."""
    return f"P{int(track_id)}"


def field_shape(name: str, num_frames: int, num_joints: int) -> tuple[int, ...]:
    """Full array shape of field ``name`` for ``num_frames`` frames."""
    kind = FRAME_FIELDS[name][1]
    return {"K2": (num_frames, num_joints, 2), "K": (num_frames, num_joints), "": (num_frames,), "4": (num_frames, 4)}[kind]


def empty_field(name: str, num_frames: int, num_joints: int) -> np.ndarray:
    """An array of field ``name`` meaning 'nothing there': zeros, NaN for boxes."""
    dtype = FRAME_FIELDS[name][0]
    fill = np.nan if name in ("bbox", "head_bbox") else 0
    return np.full(field_shape(name, num_frames, num_joints), fill, dtype=dtype)


@dataclass(eq=False)
class Track:
    """One person with a stable id.

    Arrays over all F frames of the video (K joints):
      - ``xy[F,K,2]`` float32 pixels (0-based, x right, y down); 0 where not labelled
      - ``vis[F,K]`` int8: 0 not labelled, 1 occluded, 2 visible
      - ``score[F,K]`` float32 confidence in [0, 1] (1 for human-placed joints)
      - ``source[F,K]`` uint8 :class:`~stdpose_core.data.source.Source`
      - ``model_version[F,K]`` int16: 0 = none, i = ``Project.model_versions[i - 1]``
      - ``reviewed[F]`` bool: a person checked this track on this frame
      - ``bbox[F,4]``, ``head_bbox[F,4]`` float32 ``x1, y1, x2, y2`` pixels; NaN = none
      - ``flags[F]`` uint8 :class:`TrackFlag` bits (outside, truncated, box set by a person)
    """

    track_id: int
    xy: np.ndarray
    vis: np.ndarray
    score: np.ndarray
    source: np.ndarray
    model_version: np.ndarray
    reviewed: np.ndarray
    bbox: np.ndarray
    head_bbox: np.ndarray
    flags: np.ndarray
    person_id: int | None = None
    name: str = ""
    extra: dict = field(default_factory=dict)

    def __post_init__(self) -> None:
        num_frames, num_joints = self.vis.shape
        for name, (dtype, _) in FRAME_FIELDS.items():
            arr = getattr(self, name)
            want = field_shape(name, num_frames, num_joints)
            if arr.shape != want or arr.dtype != dtype:
                raise ValueError(f"track {self.track_id}: {name} must be {dtype}{want}, got {arr.dtype}{arr.shape}")

    @classmethod
    def empty(cls, track_id: int, num_frames: int, num_joints: int, **kwargs) -> "Track":
        """A track with nothing labelled on any frame."""
        arrays = {name: empty_field(name, num_frames, num_joints) for name in FRAME_FIELDS}
        return cls(track_id=track_id, **arrays, **kwargs)

    @property
    def num_frames(self) -> int:
        return self.vis.shape[0]

    @property
    def num_joints(self) -> int:
        return self.vis.shape[1]

    def present(self) -> np.ndarray:
        """``[F]`` bool: the person is there (a box or any labelled joint)."""
        return np.isfinite(self.bbox).all(axis=1) | (self.vis > 0).any(axis=1)

    def human_mask(self, frames: slice = slice(None)) -> np.ndarray:
        """``[F,K]`` bool (``frames``: those frames only): joints a person placed or corrected (never
        overwritten by machines)."""
        return is_human(self.source[frames])

    def has_flag(self, flag: TrackFlag) -> np.ndarray:
        """``[F]`` bool: frames with ``flag`` set."""
        return (self.flags & np.uint8(flag)) != 0

    def keyframes(self) -> np.ndarray:
        """Sorted frame indices where this track has at least one human-placed joint."""
        return np.flatnonzero(self.human_mask().any(axis=1))

    def copy(self) -> "Track":
        arrays = {name: getattr(self, name).copy() for name in FRAME_FIELDS}
        return Track(track_id=self.track_id, person_id=self.person_id, name=self.name, extra=dict(self.extra), **arrays)

    def equals(self, other: "Track") -> bool:
        """Exact equality of id, metadata and every array (NaN equal to NaN)."""
        if (self.track_id, self.person_id, self.name) != (other.track_id, other.person_id, other.name):
            return False
        return all(np.array_equal(getattr(self, n), getattr(other, n), equal_nan=n in ("bbox", "head_bbox", "xy", "score")) for n in FRAME_FIELDS)
