"""The annotation project: one video, its skeleton and its tracks (the single source of truth)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from stdpose_core.data.track import Track
from stdpose_core.skeleton import Skeleton


@dataclass
class VideoInfo:
    """What the project knows about its video without opening it.

    ``path`` is as stored (relative to the project file's folder when possible). ``frame_names``
    holds per-frame image names (PoseTrack ``file_name``) when known, else None. ``frame_sizes``
    holds per-frame ``[width, height]`` when the frames differ in size (a photo collection; see
    docs/adr/0006), else None; ``width``/``height`` are then the largest width and height, and
    frame sources pad smaller images at the right and bottom so pixel coordinates stay exact.
    """

    path: str
    num_frames: int
    width: int
    height: int
    fps: float = 30.0
    frame_names: list[str] | None = None
    frame_sizes: list[list[int]] | None = None

    def frame_size(self, frame: int) -> tuple[int, int]:
        """``(width, height)`` of frame ``frame`` (the video's size unless frames differ)."""
        if self.frame_sizes is not None:
            w, h = self.frame_sizes[frame]
            return int(w), int(h)
        return self.width, self.height


@dataclass(eq=False)
class Project:
    """All annotation state of one video.

    ``labeled[F]`` bool marks frames that carry ground-truth annotation (PoseTrack ``is_labeled``);
    ``ignore_regions`` maps a frame to polygons ``[N,2]`` float32 pixels (PoseTrack ignore regions).
    """

    skeleton: Skeleton
    video: VideoInfo
    tracks: dict[int, Track] = field(default_factory=dict)
    keyframe_interval: int = 7
    labeled: np.ndarray | None = None
    ignore_regions: dict[int, list[np.ndarray]] = field(default_factory=dict)
    model_versions: list[str] = field(default_factory=list)
    meta: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.labeled is None:
            self.labeled = np.zeros(self.num_frames, bool)

    @property
    def num_frames(self) -> int:
        return self.video.num_frames

    @property
    def num_joints(self) -> int:
        return self.skeleton.num_joints

    def next_track_id(self) -> int:
        return max(self.tracks, default=-1) + 1

    def new_track(self, track_id: int | None = None) -> Track:
        """An empty track sized for this project (not added; add it with an AddTrack edit)."""
        return Track.empty(self.next_track_id() if track_id is None else track_id, self.num_frames, self.num_joints)

    def keyframes(self) -> np.ndarray:
        """Sorted frames where any track has a human-placed joint."""
        if not self.tracks:
            return np.zeros(0, np.int64)
        return np.unique(np.concatenate([t.keyframes() for t in self.tracks.values()]))

    def tracks_at(self, frame: int) -> list[Track]:
        """Tracks present at ``frame``, in id order."""
        return [t for _, t in sorted(self.tracks.items()) if t.present()[frame]]
