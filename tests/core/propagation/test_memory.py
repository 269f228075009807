"""Flow streams a long video: memory does not grow with the number of frames."""

import tracemalloc

import cv2
import numpy as np
import pytest
from prop_clips import set_manual, texture

from stdpose_core.data.project import Project, VideoInfo
from stdpose_core.data.track import Track
from stdpose_core.progress import run_to_completion
from stdpose_core.propagation import get_propagator
from stdpose_core.skeleton import POSETRACK18


class ProceduralSource:
    """A 10,000-frame 'video' rendered on demand (a texture sliding 0.5 px per frame, back and forth)."""

    def __init__(self, num_frames: int, size=(96, 72)):
        self.num_frames, (self.w, self.h) = num_frames, size
        self.tex = texture(self.h * 3, self.w * 3, seed=3)
        self.reads = 0

    def __len__(self) -> int:
        return self.num_frames

    def offset(self, i: int) -> np.ndarray:
        return np.array([20 * np.sin(i / 40.0), 10 * np.sin(i / 57.0)], np.float32)

    def frame(self, i: int) -> np.ndarray:
        self.reads += 1
        dx, dy = self.offset(i)
        A = np.float32([[1, 0, dx - self.w], [0, 1, dy - self.h]])
        return cv2.warpAffine(self.tex, A, (self.w, self.h), flags=cv2.INTER_CUBIC)


@pytest.mark.slow
def test_flow_over_10000_frames_keeps_memory_bounded():
    F = 10_000
    src = ProceduralSource(F)
    base = np.array([[48, 20], [48, 26], [48, 14], [0, 0], [0, 0]] + [[30 + 3 * k, 40] for k in range(12)], np.float32)
    proj = Project(POSETRACK18, VideoInfo("procedural", F, 96, 72))
    track = Track.empty(0, F, 17)
    for f in list(range(0, F, 100)) + [F - 1]:
        set_manual(track, f, base + src.offset(f))
    proj.tracks[0] = track
    tracemalloc.start()
    edit = run_to_completion(get_propagator("flow", chunk=32).run(proj, src))
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    held = F * 96 * 72 * 3
    assert peak < 0.25 * held  # far below holding the decoded video (207 MB)
    assert src.reads <= 2.2 * F  # each frame read about twice (forward pass, chunked backward pass)
    edit.apply(proj)
    used = POSETRACK18.used_joints
    for f in (1, 50, 99, 5050, 9998):
        err = np.linalg.norm(proj.tracks[0].xy[f, used] - (base + src.offset(f))[used], axis=-1)
        assert err.max() < 1.0, (f, err.max())
