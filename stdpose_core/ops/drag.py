"""Drags as core gestures: each pointer position becomes an edit applied through the session.

A gesture object lives from the mouse press to the release. :meth:`Drag.move_to` builds the edit for
the pointer position (image pixels, 0-based, x right, y down) with :mod:`stdpose_core.ops.annotate`
and applies it through :meth:`ProjectSession.apply` with ``gesture=self``: the edit is committed to
the project file there, and listeners (the GUI's undo history) merge the positions of one drag into
one undo step. So a drag reaches SQLite through core code only; the GUI turns mouse events into
positions and observes.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass

import numpy as np

from stdpose_core.data import Project
from stdpose_core.data.edits import Change, Edit, SetPoseRange
from stdpose_core.data.track import Track
from stdpose_core.ops.annotate import place_joint, transform_pose
from stdpose_core.session import ProjectSession

#: A scale drag never shrinks a pose below this fraction of its size at the press.
MIN_SCALE = 0.05


class Drag(ABC):
    """One drag of one person's pose on one frame (``track_id``, ``frame``)."""

    track_id: int
    frame: int

    @abstractmethod
    def edit_to(self, project: Project, x: float, y: float) -> Edit:
        """The edit that puts the dragged thing where the pointer is, ``(x, y)`` in pixels."""

    def move_to(self, session: ProjectSession, x: float, y: float) -> Change:
        """Apply (and commit) the edit for pointer position ``(x, y)`` as part of this gesture."""
        return session.apply(self.edit_to(session.project, x, y), gesture=self)


@dataclass(eq=False)  # identity is the gesture: two drags of the same joint are two undo steps
class JointDrag(Drag):
    """Dragging joint ``joint``: it follows the pointer, kept inside the image."""

    track_id: int
    frame: int
    joint: int

    def edit_to(self, project: Project, x: float, y: float) -> Edit:
        x = min(max(float(x), 0.0), project.video.width - 1.0)
        y = min(max(float(y), 0.0), project.video.height - 1.0)
        return place_joint(project, self.track_id, self.frame, self.joint, (x, y))


@dataclass(eq=False)
class PoseDrag(Drag):
    """Moving a person's labelled joints and box (pressed inside the box) or scaling them about the
    box centre (pressed on a corner, ``scale``). Every position transforms ``base``, the track as it
    was at the press, so successive positions never accumulate."""

    track_id: int
    frame: int
    scale: bool
    press: tuple[float, float]
    base: Track
    center: tuple[float, float]
    radius: float  # distance press → centre: a scale drag's factor is the distance now over this

    @classmethod
    def start(cls, project: Project, track_id: int, frame: int, press: tuple[float, float], scale: bool) -> "PoseDrag":
        """The gesture for a press at ``press`` on person ``track_id`` (who has a box on ``frame``)."""
        track = project.tracks[track_id]
        b = track.bbox[frame]
        center = (float(b[0] + b[2]) / 2, float(b[1] + b[3]) / 2)
        radius = max(float(np.hypot(press[0] - center[0], press[1] - center[1])), 1.0)
        return cls(track_id, frame, scale, (float(press[0]), float(press[1])), track.copy(), center, radius)

    def edit_to(self, project: Project, x: float, y: float) -> SetPoseRange:
        if self.scale:
            factor = max(float(np.hypot(x - self.center[0], y - self.center[1])) / self.radius, MIN_SCALE)
            return transform_pose(project, self.track_id, self.frame, 0.0, 0.0, factor, self.center, self.base)
        dx, dy = x - self.press[0], y - self.press[1]
        return transform_pose(project, self.track_id, self.frame, dx, dy, 1.0, self.center, self.base)


#: Box handles: which edges a handle moves (``x1 y1 x2 y2`` indices). Corners move two, edge midpoints one.
BOX_HANDLES: dict[str, tuple[int, ...]] = {
    "nw": (0, 1), "n": (1,), "ne": (2, 1), "e": (2,), "se": (2, 3), "s": (3,), "sw": (0, 3), "w": (0,),
}


def handle_points(box) -> dict[str, tuple[float, float]]:
    """Where each handle of ``box`` (``x1, y1, x2, y2``) sits, in pixels."""
    x1, y1, x2, y2 = (float(v) for v in box)
    cx, cy = (x1 + x2) / 2, (y1 + y2) / 2
    return {"nw": (x1, y1), "n": (cx, y1), "ne": (x2, y1), "e": (x2, cy), "se": (x2, y2), "s": (cx, y2),
            "sw": (x1, y2), "w": (x1, cy)}


@dataclass(eq=False)
class BoxDrag(Drag):
    """Resizing a person's box by one handle (``BOX_HANDLES``): the handle's edges follow the pointer,
    the pose stays where it is. The box as it was at the press (``base``) is the reference, so
    positions never accumulate; a box dragged inside out is normalised."""

    track_id: int
    frame: int
    handle: str
    base: tuple[float, float, float, float]

    @classmethod
    def start(cls, project: Project, track_id: int, frame: int, handle: str) -> "BoxDrag":
        if handle not in BOX_HANDLES:
            raise ValueError(f"unknown box handle {handle!r}")
        b = project.tracks[track_id].bbox[frame]
        return cls(track_id, frame, handle, tuple(float(v) for v in b))

    def edit_to(self, project: Project, x: float, y: float) -> Edit:
        from stdpose_core.ops.annotate import set_box

        x = min(max(float(x), 0.0), project.video.width - 1.0)
        y = min(max(float(y), 0.0), project.video.height - 1.0)
        box = list(self.base)
        for i in BOX_HANDLES[self.handle]:
            box[i] = x if i in (0, 2) else y
        for lo, hi in ((0, 2), (1, 3)):  # keep at least a pixel
            if abs(box[hi] - box[lo]) < 1:
                box[hi] = box[lo] + (1 if box[hi] >= box[lo] else -1)
        return set_box(project, self.track_id, self.frame, tuple(box), label="resize box")
