"""Hand-made ground truth for the metric tests."""

from __future__ import annotations

import numpy as np
import pytest

from stdpose_core.data import Project, Track, VideoInfo
from stdpose_core.skeleton import POSETRACK18

USED = POSETRACK18.used_joints  # the 15 joints PoseTrack scores (no ears)


def base_pose(x0: float, y0: float) -> np.ndarray:
    """``[17,2]`` a pose whose joints are 10 px apart (ears at 0: unused)."""
    xy = np.zeros((17, 2), np.float32)
    for n, j in enumerate(USED):
        xy[j] = (x0 + 10 * (n % 3), y0 + 10 * n)
    return xy


def make(people: dict[int, dict[int, np.ndarray]], frames: int = 2, head: float | None = 10.0,
         score: dict | None = None, names: list[str] | None = None) -> Project:
    """Project with ``people[tid][frame] = xy[17,2]`` (used joints visible), head boxes of ``head`` px
    squares at the first joint (None = no head boxes), person boxes around the joints, and joint scores
    ``score[(tid, frame)] = [17]`` (default 1)."""
    p = Project(POSETRACK18, VideoInfo("v", frames, 640, 480, frame_names=names))
    p.labeled[:] = True
    for tid, poses in people.items():
        t = Track.empty(tid, frames, 17)
        for f, xy in poses.items():
            t.xy[f] = xy
            t.vis[f, USED] = 2
            t.xy[f, ~np.isin(np.arange(17), USED)] = 0
            t.score[f, USED] = 1.0
            if score and (tid, f) in score:
                t.score[f] = score[(tid, f)]
            pts = xy[USED]
            t.bbox[f] = [*pts.min(0), *pts.max(0)]
            if head is not None:
                x, y = xy[USED[0]]
                t.head_bbox[f] = [x, y, x + head, y + head]
        p.tracks[tid] = t
    return p


@pytest.fixture
def two_by_two():
    """Two frames, two people (tracks 0 and 1) far apart: GT as (people dict, project)."""
    people = {0: {0: base_pose(100, 50), 1: base_pose(104, 52)}, 1: {0: base_pose(400, 60), 1: base_pose(402, 61)}}
    return people, make(people)


@pytest.fixture
def make_gt():
    return make


@pytest.fixture
def pose():
    return base_pose
