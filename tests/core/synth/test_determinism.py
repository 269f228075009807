"""Same seed -> identical clip; different seed -> different clip; shorter clip = prefix of longer."""

from __future__ import annotations

import numpy as np

from stdpose_core.synth import generate_clip, iter_frames, make_scene

SIZE = (160, 96)


def _same_gt(a, b) -> bool:
    return sorted(a.tracks) == sorted(b.tracks) and all(a.tracks[i].equals(b.tracks[i]) for i in a.tracks)


def test_same_seed_gives_identical_frames_and_ground_truth(small_clip):
    again = generate_clip(persons=3, frames=12, size=SIZE, seed=1)
    assert len(again.frames) == 12
    assert all(np.array_equal(a, b) for a, b in zip(small_clip.frames, again.frames))
    assert _same_gt(small_clip.gt, again.gt)


def test_different_seed_gives_different_clip(small_clip):
    other = generate_clip(persons=3, frames=12, size=SIZE, seed=2)
    assert not np.array_equal(small_clip.frames[0], other.frames[0])
    assert not _same_gt(small_clip.gt, other.gt)


def test_shorter_clip_is_prefix_of_longer(small_clip):
    short = generate_clip(persons=3, frames=5, size=SIZE, seed=1)
    assert all(np.array_equal(a, b) for a, b in zip(short.frames, small_clip.frames[:5]))
    for tid, t in short.gt.tracks.items():
        long = small_clip.gt.tracks[tid]
        assert np.array_equal(t.xy, long.xy[:5]) and np.array_equal(t.vis, long.vis[:5])


def test_iter_frames_renders_the_same_frames_one_by_one(small_clip):
    scene = make_scene(persons=3, frames=12, size=SIZE, seed=1)
    assert np.array_equal(next(iter_frames(scene, 7, 8)), small_clip.frames[7])
    assert np.array_equal(scene.render(11), small_clip.frames[11])


def test_frames_have_requested_size_and_type(small_clip):
    for f in small_clip.frames:
        assert f.shape == (96, 160, 3) and f.dtype == np.uint8
    portrait = generate_clip(persons=1, frames=1, size=(48, 80), seed=0)
    assert portrait.frames[0].shape == (80, 48, 3)
