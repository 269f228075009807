"""Linear interpolation: exact on linear motion, the rules on one-sided and absent people."""

import numpy as np
import pytest
from prop_clips import person_joints, project_from_joints

from stdpose_core.data.source import Source
from stdpose_core.progress import run_to_completion
from stdpose_core.propagation import MAX_EXTRAPOLATE, find_gaps, get_propagator

USED = [k for k in range(17) if k not in (3, 4)]


def linear_joints(num_frames, people=2):
    base = np.stack([person_joints(40 + 60 * p, 60, 50) for p in range(people)])
    vel = np.array([[1.25, -0.5], [-0.75, 0.25]], np.float32)[:people, None, :]
    return np.stack([base + vel * f for f in range(num_frames)])


def run(method, project, source=None, **kw):
    return run_to_completion(get_propagator(method).run(project, source, **kw))


def test_interp_is_exact_on_linear_motion_and_marks_source():
    J = linear_joints(22)
    proj = project_from_joints(J, (200, 120), [0, 7, 21])
    box0, box7 = proj.tracks[0].bbox[0].copy(), proj.tracks[0].bbox[7].copy()
    run("interp", proj).apply(proj)
    for p in range(2):
        t = proj.tracks[p]
        np.testing.assert_allclose(t.xy[:, USED], J[:, p, USED], atol=1e-4)
        inner = [f for f in range(22) if f not in (0, 7, 21)]
        assert (t.source[inner][:, USED] == Source.INTERPOLATED).all()
        assert (t.vis[inner][:, USED] == 2).all()
        assert (t.vis[:, [3, 4]] == 0).all()  # unlabelled ears stay unlabelled
        assert ((t.score[inner][:, USED] > 0) & (t.score[inner][:, USED] <= 1)).all()
    np.testing.assert_allclose(proj.tracks[0].bbox[3], box0 + (box7 - box0) * 3 / 7, atol=1e-4)


def test_visibility_comes_from_the_nearer_keyframe():
    J = linear_joints(11, people=1)
    proj = project_from_joints(J, (200, 120), [0, 10])
    proj.tracks[0].vis[10, 9] = 1  # left wrist occluded on the right keyframe
    run("interp", proj).apply(proj)
    vis = proj.tracks[0].vis[:, 9]
    assert list(vis[1:5]) == [2, 2, 2, 2] and list(vis[6:10]) == [1, 1, 1, 1] and vis[5] == 1


def test_score_is_lower_mid_gap_than_next_to_a_keyframe():
    J = linear_joints(15, people=1)
    proj = project_from_joints(J, (200, 120), [0, 14])
    run("interp", proj).apply(proj)
    s = proj.tracks[0].score[:, USED].mean(axis=1)
    assert s[1] > s[4] > s[7]


def test_person_seen_once_is_extrapolated_a_few_frames_with_low_score():
    J = linear_joints(20, people=2)
    proj = project_from_joints(J, (200, 120), [0, 10, 19])
    t1 = proj.tracks[1]
    for f in (10, 19):  # person 1 only on frame 0; person 0 on every keyframe
        t1.xy[f], t1.vis[f], t1.source[f], t1.score[f], t1.bbox[f], t1.head_bbox[f] = 0, 0, 0, 0, np.nan, np.nan
    run("interp", proj).apply(proj)
    present = (proj.tracks[1].vis > 0).any(axis=1)
    assert list(np.flatnonzero(present)) == list(range(0, 1 + MAX_EXTRAPOLATE))
    assert (proj.tracks[1].score[1 : 1 + MAX_EXTRAPOLATE, USED] <= 0.25).all()
    assert (proj.tracks[0].vis[1:19, USED] > 0).all()


def test_person_leaving_between_keyframes_gets_a_hole_not_invented_poses():
    J = linear_joints(31, people=2)
    proj = project_from_joints(J, (200, 120), [0, 10, 20, 30])
    t1 = proj.tracks[1]
    t1.xy[10], t1.vis[10], t1.source[10], t1.score[10], t1.bbox[10], t1.head_bbox[10] = 0, 0, 0, 0, np.nan, np.nan
    gaps = [g for g in find_gaps(proj) if g.track_id == 1]
    assert [(g.left, g.right) for g in gaps] == [(0, None), (None, 20), (20, 30)]
    run("interp", proj).apply(proj)
    present = (proj.tracks[1].vis > 0).any(axis=1)
    hole = [f for f in range(1, 20) if not present[f]]
    assert hole == [f for f in range(1 + MAX_EXTRAPOLATE, 20 - MAX_EXTRAPOLATE)]
    assert present[21:30].all()


def test_no_keyframe_is_a_clear_error():
    from stdpose_core.errors import StdposeError

    J = linear_joints(5, people=1)
    proj = project_from_joints(J, (200, 120), [])
    with pytest.raises(StdposeError, match="no keyframe"):
        run("interp", proj)
