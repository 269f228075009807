"""Remembers the detector's pre-labels after propagation has overwritten them (no Qt).

Detection writes DETECTED joints; propagation later replaces them with its own values, and the
review queue still wants to compare the two ("disagreement with the YOLO pre-label"). This memory
copies every DETECTED joint it sees when the project changes and keeps it until the project is
closed. It lives for the editing session only (the project file keeps the latest values, not
history); a project opened with pre-labels still in it is remembered from the start.
"""

from __future__ import annotations

import numpy as np

from stdpose_core.data import DETECTOR_SOURCES, Project

_DETECTOR = np.array(DETECTOR_SOURCES, np.uint8)


class PrelabelMemory:
    def __init__(self) -> None:
        self._mem: dict[int, tuple[np.ndarray, np.ndarray]] = {}  # tid -> (xy[F,K,2], vis[F,K])

    def reset(self, project: Project | None) -> None:
        self._mem.clear()
        if project is not None:
            for tid in project.tracks:
                self.update(project, tid, 0, project.num_frames)

    def update(self, project: Project, tid: int, start: int, stop: int) -> None:
        """Copy the DETECTED joints of track ``tid`` on frames ``[start, stop)``."""
        t = project.tracks.get(tid)
        if t is None:
            return
        sl = slice(start, stop)
        det = np.isin(t.source[sl], _DETECTOR) & (t.vis[sl] > 0)
        if not det.any():
            return
        if tid not in self._mem:
            self._mem[tid] = (np.zeros_like(t.xy), np.zeros_like(t.vis))
        xy, vis = self._mem[tid]
        xy[sl][det] = t.xy[sl][det]
        vis[sl][det] = t.vis[sl][det]

    def as_dict(self) -> dict[int, tuple[np.ndarray, np.ndarray]]:
        """``{track_id: (xy[F,K,2], vis[F,K])}`` for :func:`stdpose_core.review.review_queue`."""
        return dict(self._mem)
