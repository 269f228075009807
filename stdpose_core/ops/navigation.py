"""Where navigation keys go: keyframes and frames needing review (pure numpy, no Qt)."""

from __future__ import annotations

import numpy as np

from stdpose_core.data import MACHINE_SOURCES, Project


def keyframe_marks(project: Project) -> np.ndarray:
    """Sorted frames that are keyframes: every T-th frame plus frames with human-placed joints."""
    every = np.arange(0, project.num_frames, max(int(project.keyframe_interval), 1))
    return np.union1d(every, project.keyframes())


def needs_review(project: Project) -> np.ndarray:
    """``[F]`` bool: a present person has machine-made joints (propagated, interpolated, detected)
    that no one has reviewed on that frame."""
    out = np.zeros(project.num_frames, bool)
    machine = np.array(MACHINE_SOURCES, np.uint8)
    for t in project.tracks.values():
        out |= (np.isin(t.source, machine) & (t.vis > 0)).any(axis=1) & ~t.reviewed
    return out


def next_in(frames: np.ndarray, frame: int, direction: int) -> int | None:
    """The nearest frame of sorted ``frames`` strictly after (direction +1) / before (-1) ``frame``."""
    if direction > 0:
        i = np.searchsorted(frames, frame, side="right")
        return int(frames[i]) if i < len(frames) else None
    i = np.searchsorted(frames, frame, side="left") - 1
    return int(frames[i]) if i >= 0 else None
