"""Which frames detection already ran on, kept in ``project.meta["detected_frames"]`` as sorted
half-open run-length ranges ``[[start, stop], ...]`` (compact and readable in the project file).

It is written by :class:`SetDetectionInfo`, an invertible edit, so "detected" moves with undo and
the store persists it in the same transaction as the detections themselves.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from stdpose_core.data.edits import Change, Edit
from stdpose_core.data.project import Project

DETECTED_FRAMES_KEY = "detected_frames"


def mask_to_ranges(mask: np.ndarray) -> list[list[int]]:
    """``[F]`` bool → ``[[start, stop), ...]`` of its True runs."""
    m = np.concatenate([[False], np.asarray(mask, bool), [False]])
    edges = np.flatnonzero(m[1:] != m[:-1])
    return [[int(a), int(b)] for a, b in zip(edges[::2], edges[1::2])]


def ranges_to_mask(ranges: list, num_frames: int) -> np.ndarray:
    """Inverse of :func:`mask_to_ranges` (ranges clipped to ``[0, num_frames)``)."""
    mask = np.zeros(num_frames, bool)
    for a, b in ranges or []:
        mask[max(0, int(a)) : min(num_frames, int(b))] = True
    return mask


def detected_mask(project: Project) -> np.ndarray:
    """``[F]`` bool: frames detection has already run on."""
    return ranges_to_mask(project.meta.get(DETECTED_FRAMES_KEY, []), project.num_frames)


@dataclass
class SetDetectionInfo(Edit):
    """Set ``meta["detected_frames"]`` to ``mask`` and register ``model_version`` (if not yet known)."""

    mask: np.ndarray
    model_version: str | None = None
    label: str = "mark frames detected"
    _before: tuple | None = field(default=None, repr=False)

    def _change(self, project: Project) -> Change:
        # 'structure' makes the store write project meta (where these live) in the same transaction.
        return Change(frozenset(), 0, project.num_frames, structure=True)

    def apply(self, project: Project) -> Change:
        had_key = DETECTED_FRAMES_KEY in project.meta
        self._before = (had_key, project.meta.get(DETECTED_FRAMES_KEY), len(project.model_versions))
        project.meta[DETECTED_FRAMES_KEY] = mask_to_ranges(self.mask)
        if self.model_version is not None and self.model_version not in project.model_versions:
            project.model_versions.append(self.model_version)
        return self._change(project)

    def revert(self, project: Project) -> Change:
        had_key, old, n_versions = self._before
        if had_key:
            project.meta[DETECTED_FRAMES_KEY] = old
        else:
            project.meta.pop(DETECTED_FRAMES_KEY, None)
        del project.model_versions[n_versions:]
        return self._change(project)
