"""Builders for small annotation projects used by the io tests."""

from __future__ import annotations

import numpy as np
import pytest

from stdpose_core.data import Project, Source, Track, VideoInfo
from stdpose_core.skeleton import get_skeleton


def random_project(seed: int = 0, frames: int = 12, people: int = 3, skeleton: str = "posetrack18",
                   folder: str = "frames") -> Project:
    """A project with every kind of content: vis 0/1/2, scores, boxes, head boxes (some missing),
    labelled frames without people, ignore regions, non-contiguous track ids."""
    rng = np.random.default_rng(seed)
    sk = get_skeleton(skeleton)
    k = sk.num_joints
    video = VideoInfo(path=folder, num_frames=frames, width=640, height=480,
                      frame_names=[f"{i:06d}.jpg" for i in range(frames)])
    labeled = rng.random(frames) < 0.6
    labeled[0] = True
    p = Project(sk, video, labeled=labeled)
    for n in range(people):
        tid = [0, 3, 17, 5, 9][n]
        t = Track.empty(tid, frames, k)
        on = labeled & (rng.random(frames) < 0.8)
        for f in np.flatnonzero(on):
            vis = rng.choice([0, 1, 2], size=k, p=[0.2, 0.3, 0.5]).astype(np.int8)
            t.vis[f] = vis
            t.xy[f] = np.where((vis > 0)[:, None], np.round(rng.uniform(1, 600, (k, 2)), 2), 0).astype(np.float32)
            t.score[f] = np.where(vis > 0, np.round(rng.uniform(0.05, 1, k), 3), 0).astype(np.float32)
            t.source[f] = np.where(vis > 0, int(Source.MANUAL), 0)
            x, y = rng.uniform(0, 400, 2)
            t.bbox[f] = np.array([x, y, x + rng.uniform(10, 200), y + rng.uniform(10, 200)], np.float32)
            if rng.random() < 0.7:
                t.head_bbox[f] = np.array([x, y, x + 20.25, y + 24.5], np.float32)
        p.tracks[tid] = t
    p.ignore_regions[1] = [np.array([[0, 0], [50.5, 0], [50.5, 40], [0, 40]], np.float32),
                           np.array([[100, 100], [140, 100], [120, 130.75]], np.float32)]
    p.labeled[1] = True
    return p


@pytest.fixture
def make_project():
    return random_project
