"""Ignore regions (PoseTrack ``ignore_regions``): polygons per frame where nobody is annotated or scored.

Edit builders like :mod:`stdpose_core.ops.annotate` (each returns one :class:`SetFrameInfo` edit, one
undo step) plus a drag gesture for a polygon's vertex. Polygons are ``[N,2]`` float32 pixels (0-based,
x right, y down), N >= 3, clipped to the image. ``stdpose eval`` drops ground-truth and predicted
joints inside the ground truth's regions (:mod:`stdpose_core.eval.frame_people`), and the PoseTrack and
COCO exports write them (``ignore_regions_x/y``).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from stdpose_core.data import Project
from stdpose_core.data.edits import Edit, SetFrameInfo
from stdpose_core.ops.drag import Drag


def _polygon(project: Project, points) -> np.ndarray:
    poly = np.asarray(points, np.float64).reshape(-1, 2)
    if len(poly) < 3 or not np.isfinite(poly).all():
        raise ValueError("an ignore region needs at least 3 points")
    poly[:, 0] = np.clip(poly[:, 0], 0, project.video.width - 1)
    poly[:, 1] = np.clip(poly[:, 1], 0, project.video.height - 1)
    x, y = poly[:, 0], poly[:, 1]
    if abs(np.dot(x, np.roll(y, 1)) - np.dot(y, np.roll(x, 1))) < 1.0:  # shoelace: twice the area
        raise ValueError("an ignore region needs an area (its points lie on a line)")
    return poly.astype(np.float32)


def _frame(project: Project, frame: int) -> None:
    if not 0 <= frame < project.num_frames:
        raise ValueError(f"frame {frame} outside the video (0..{project.num_frames - 1})")


def regions_at(project: Project, frame: int) -> list[np.ndarray]:
    """The ignore regions of ``frame`` (copies)."""
    return [p.copy() for p in project.ignore_regions.get(frame, [])]


def add_region(project: Project, frame: int, points) -> Edit:
    """Add a polygon ``points`` (``[N,2]`` pixels or a flat x,y list) to ``frame``'s ignore regions."""
    _frame(project, frame)
    polys = regions_at(project, frame) + [_polygon(project, points)]
    return SetFrameInfo(frame, ignore_regions={frame: polys}, label=f"add ignore region on frame {frame}")


def delete_region(project: Project, frame: int, index: int) -> Edit:
    """Remove region ``index`` of ``frame``."""
    _frame(project, frame)
    polys = regions_at(project, frame)
    if not 0 <= index < len(polys):
        raise ValueError(f"frame {frame} has {len(polys)} ignore region(s), no region {index}")
    del polys[index]
    return SetFrameInfo(frame, ignore_regions={frame: polys}, label=f"delete ignore region on frame {frame}")


def move_vertex(project: Project, frame: int, index: int, vertex: int, xy: tuple[float, float]) -> Edit:
    """Move vertex ``vertex`` of region ``index`` of ``frame`` to ``xy`` (kept inside the image)."""
    polys = regions_at(project, frame)
    if not 0 <= index < len(polys) or not 0 <= vertex < len(polys[index]):
        raise ValueError(f"no vertex {vertex} of ignore region {index} on frame {frame}")
    polys[index][vertex] = (min(max(float(xy[0]), 0.0), project.video.width - 1.0),
                            min(max(float(xy[1]), 0.0), project.video.height - 1.0))
    return SetFrameInfo(frame, ignore_regions={frame: polys}, label="move ignore region point")


def copy_regions(project: Project, frame: int, stop: int) -> Edit:
    """Give frames ``(frame, stop)`` exactly ``frame``'s ignore regions (a static occluder, a crowd
    in the back: draw once, copy to the next frames). Frames beyond the video are ignored."""
    _frame(project, frame)
    stop = min(int(stop), project.num_frames)
    if stop <= frame + 1:
        raise ValueError("copy to at least one later frame")
    polys = regions_at(project, frame)
    out = {f: [p.copy() for p in polys] for f in range(frame + 1, stop)}
    return SetFrameInfo(frame + 1, ignore_regions=out,
                        label=f"copy ignore regions of frame {frame} to frames {frame + 1}–{stop - 1}")


def region_at(project: Project, frame: int, xy: tuple[float, float]) -> int | None:
    """Index of the (last drawn) ignore region of ``frame`` containing ``xy``, or None."""
    from stdpose_core.eval.point_in_polygon import inside_any

    polys = project.ignore_regions.get(frame, [])
    for i in range(len(polys) - 1, -1, -1):
        if inside_any(np.asarray([xy], np.float64), [polys[i]])[0]:
            return i
    return None


def vertex_at(project: Project, frame: int, xy: tuple[float, float], radius: float) -> tuple[int, int] | None:
    """``(region, vertex)`` of ``frame`` within ``radius`` pixels of ``xy``, or None."""
    best = None
    for i, poly in enumerate(project.ignore_regions.get(frame, [])):
        d = np.hypot(poly[:, 0] - xy[0], poly[:, 1] - xy[1])
        j = int(np.argmin(d))
        if d[j] <= radius and (best is None or d[j] < best[0]):
            best = (float(d[j]), i, j)
    return None if best is None else (best[1], best[2])


@dataclass(eq=False)
class VertexDrag(Drag):
    """Dragging vertex ``vertex`` of ignore region ``index`` on ``frame`` (one undo step per drag)."""

    track_id: int  # unused (regions belong to frames); -1
    frame: int
    index: int
    vertex: int

    def edit_to(self, project: Project, x: float, y: float) -> Edit:
        return move_vertex(project, self.frame, self.index, self.vertex, (x, y))
