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
