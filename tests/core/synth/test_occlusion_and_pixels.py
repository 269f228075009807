"""Occlusion flags agree with the painted pixels; people really appear where their joints are."""

from __future__ import annotations

import numpy as np

from stdpose_core.synth import ground_truth, make_scene
from stdpose_core.synth.figure import JOINT_PARTS, NUM_PARTS


def _owner_at(ids: np.ndarray, xy: np.ndarray) -> int:
    x, y = np.round(xy).astype(int)
    return int(ids[y, x])


def _own(owner: int, person: int, joint: int) -> bool:
    return owner < 0 or (owner // NUM_PARTS == person and owner % NUM_PARTS in JOINT_PARTS[joint])


def test_vis_flags_match_the_part_owning_the_joint_pixel():
    scene = make_scene(persons=3, frames=16, size=(160, 96), seed=3)
    gt = ground_truth(scene)
    agree = total = 0
    for f in range(gt.num_frames):
        _, ids = scene.render(f, ids=True)
        for p, t in gt.tracks.items():
            for k in np.flatnonzero(t.vis[f] > 0):
                if k == 0:  # the nose is also hidden by its own head when the face looks away
                    continue
                expected = 2 if _own(_owner_at(ids, t.xy[f, k]), p, k) else 1
                agree += expected == t.vis[f, k]
                total += 1
    # Rounding a joint to its pixel can change the owner right at a part's edge, rarely.
    assert total > 500 and agree / total >= 0.95


def test_back_person_is_occluded_where_people_overlap():
    """Over a few crowded clips: joints covered by somebody else are vis 1, and the coverer is nearer."""
    covered_by_other = 0
    for seed in range(3):
        scene = make_scene(persons=3, frames=24, size=(128, 96), seed=seed)
        gt = ground_truth(scene)
        rank = {int(p): i for i, p in enumerate(scene.order)}  # higher = nearer the camera
        for f in range(0, gt.num_frames, 2):
            _, ids = scene.render(f, ids=True)
            for p, t in gt.tracks.items():
                for k in np.flatnonzero(t.vis[f] > 0):
                    owner = _owner_at(ids, t.xy[f, k])
                    q = owner // NUM_PARTS
                    if owner >= 0 and q != p and not _own(owner, p, k):
                        if t.vis[f, k] == 1:
                            covered_by_other += 1
                            assert rank[q] > rank[p], "a person behind cannot cover a joint"
    assert covered_by_other >= 5


def test_front_person_is_only_occluded_by_its_own_body():
    scene = make_scene(persons=3, frames=30, size=(128, 96), seed=1)
    gt = ground_truth(scene)
    nearest = int(scene.order[-1])
    assert (gt.tracks[nearest].vis[::3] == 1).sum() >= 3  # self-occlusion: far hip, arm behind the torso
    for f in range(0, 30, 3):
        _, ids = scene.render(f, ids=True)
        t = gt.tracks[nearest]
        for k in np.flatnonzero(t.vis[f] == 1):
            owner = _owner_at(ids, t.xy[f, k])
            assert owner < 0 or owner // NUM_PARTS == nearest


def test_people_change_the_pixels_around_their_visible_joints(small_clip):
    scene = small_clip.scene
    changed = total = 0
    for f in (0, 6, 11):
        plate = scene.render(f, people=False).astype(int)
        img = small_clip.frames[f].astype(int)
        for t in small_clip.gt.tracks.values():
            for k in np.flatnonzero(t.vis[f] == 2):
                x, y = np.round(t.xy[f, k]).astype(int)
                patch = np.abs(img[y - 1 : y + 2, x - 1 : x + 2] - plate[y - 1 : y + 2, x - 1 : x + 2])
                changed += patch.mean() > 12
                total += 1
    assert total > 30 and changed / total > 0.9


def test_each_person_wears_its_own_colours(small_clip):
    looks = small_clip.scene.looks
    shirts = np.stack([lk.materials["shirt"] for lk in looks])
    assert len({tuple(np.round(s)) for s in shirts}) == len(looks)
