"""Turning detections into project data (pre-labels) and project data into tracker anchors.

Pre-label rule: a detected COCO-17 joint is *visible* (vis 2) when its score ≥ ``threshold``
(default 0.5, the cut ultralytics uses to draw a joint), otherwise *not labelled* (vis 0, xy 0,
score 0). The pose is then mapped to the project's skeleton with
:func:`stdpose_core.skeleton.convert_keypoints`; joints it approximates (PoseTrack18's head_bottom and
head_top) are stored with source APPROXIMATED and a score that means what a detected joint's does
(:data:`~stdpose_core.skeleton.APPROXIMATION_TRUST`), so they reach the review queue only when they
are as doubtful as a detected joint would have to be.
"""

from __future__ import annotations

import numpy as np

from stdpose_core.data.boxes import joints_box
from stdpose_core.data.project import Project
from stdpose_core.data.source import DETECTOR_SOURCES, Source
from stdpose_core.detection.identity_tracking import Anchor
from stdpose_core.skeleton import COCO17, Skeleton, convert_keypoints

#: Detected joints with a lower score are stored as not labelled.
DEFAULT_KEYPOINT_THRESHOLD = 0.5
#: Joint sources detection may write over: empty joints and its own earlier pre-labels. Human joints
#: (MANUAL, CORRECTED) are never touched; propagated/interpolated ones are left to the propagator.
WRITABLE_SOURCES = (Source.NONE,) + DETECTOR_SOURCES
#: Relative padding of the box around human-placed joints when a person has no box on a frame
#: (joints sit inside the body outline, a detector's box around it).
JOINT_BOX_PADDING = 0.1


def coco_to_project_pose(
    keypoints: np.ndarray, scores: np.ndarray, skeleton: Skeleton, threshold: float = DEFAULT_KEYPOINT_THRESHOLD
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Detected COCO-17 poses ``keypoints[n,17,2]`` pixels, ``scores[n,17]`` → project arrays
    ``xy[n,K,2]`` float32, ``vis[n,K]`` int8 (2 or 0), ``score[n,K]`` float32 (0 where vis 0) and
    ``source[n,K]`` uint8 (DETECTED, APPROXIMATED for joints the skeleton conversion derived, NONE)."""
    scores = np.asarray(scores, np.float32)
    vis = np.where(scores >= threshold, 2, 0).astype(np.int8)
    xy = np.where(vis[..., None] > 0, np.asarray(keypoints, np.float32), 0).astype(np.float32)
    xy, vis, score, approximated = convert_keypoints(xy, vis, np.where(vis > 0, scores, 0), COCO17, skeleton)
    empty = vis == 0
    xy[empty] = 0
    score[empty] = 0
    kind = np.where(approximated, np.uint8(Source.APPROXIMATED), np.uint8(Source.DETECTED))
    source = np.where(empty, np.uint8(Source.NONE), kind).astype(np.uint8)
    return xy.astype(np.float32), vis.astype(np.int8), score.astype(np.float32), source


def anchors_at(project: Project, frame: int) -> list[Anchor]:
    """People already in the project at ``frame``: their box, or a box around their human-placed joints."""
    out = []
    for tid, track in project.tracks.items():
        box = track.bbox[frame]
        if np.isfinite(box).all() and box[2] > box[0] and box[3] > box[1]:
            out.append(Anchor(tid, box.astype(np.float64)))
            continue
        human = track.human_mask()[frame] & (track.vis[frame] > 0)
        jb = joints_box(track.xy[frame], human, JOINT_BOX_PADDING, min_points=2)
        if jb is not None:
            out.append(Anchor(tid, jb, track.xy[frame][human].astype(np.float64)))
    return out


def last_box_before(project: Project, track_id: int, frame: int, max_back: int) -> tuple[int, np.ndarray] | None:
    """``(f, box)`` of the track's last box on frames ``[frame - max_back, frame)``, or None."""
    track = project.tracks[track_id]
    lo = max(0, frame - max_back)
    has = np.isfinite(track.bbox[lo:frame]).all(axis=1)
    idx = np.flatnonzero(has)
    if not len(idx):
        return None
    f = lo + int(idx[-1])
    return f, track.bbox[f].astype(np.float64)
