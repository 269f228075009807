"""Human joints are sacred, cancellation leaves no trace, incremental runs touch only neighbouring gaps."""

import numpy as np
import pytest
from prop_clips import project_from_joints, rigid_clip

from stdpose_core.data.edits import MoveKeypoint
from stdpose_core.data.source import Source
from stdpose_core.progress import run_to_completion
from stdpose_core.propagation import ListSource, frames_around, gaps_around, get_propagator

USED = [k for k in range(17) if k not in (3, 4)]


@pytest.fixture(scope="module")
def clip():
    return rigid_clip(36, motion=(1.5, 0.5), people=2, wobble=4.0)


def snapshot(proj):
    return {tid: t.copy() for tid, t in proj.tracks.items()}


@pytest.mark.parametrize("method", ["interp", "flow"])
def test_manual_and_corrected_joints_are_never_changed(clip, method):
    frames, J = clip
    proj = project_from_joints(J, (160, 120), [0, 7, 14, 21, 28, 35])
    run_to_completion(get_propagator(method).run(proj, ListSource(frames))).apply(proj)
    # A person corrects one joint on a propagated frame and places another far away on a keyframe.
    MoveKeypoint(proj, 0, 10, 9, (5.0, 6.0)).apply(proj)
    MoveKeypoint(proj, 1, 14, 15, (150.0, 100.0)).apply(proj)
    assert proj.tracks[0].source[10, 9] == Source.CORRECTED
    human = {tid: t.human_mask() for tid, t in proj.tracks.items()}
    before = snapshot(proj)
    run_to_completion(get_propagator(method).run(proj, ListSource(frames))).apply(proj)
    for tid, t in proj.tracks.items():
        m = human[tid]
        assert np.array_equal(t.xy[m], before[tid].xy[m])
        assert np.array_equal(t.vis[m], before[tid].vis[m])
        assert np.array_equal(t.source[m], before[tid].source[m])
        assert np.array_equal(t.score[m], before[tid].score[m])
    # Frame 10 is now a keyframe of person 0: the gaps next to it are filled around the correction.
    assert np.allclose(proj.tracks[0].xy[10, 9], (5.0, 6.0))
    assert proj.tracks[0].source[11, 9] in (Source.PROPAGATED, Source.INTERPOLATED)


def test_cancelling_stops_within_one_batch_and_leaves_the_project_unchanged(clip):
    frames, J = clip
    proj = project_from_joints(J, (160, 120), [0, 7, 14, 21, 28, 35])
    before = snapshot(proj)
    src = ListSource(frames)
    job = get_propagator("flow", chunk=8).run(proj, src)  # a batch spans at most 8 frames: the first gap alone
    first = next(job)
    seen = [first]
    while seen[-1].done < 6:  # let the first gap (one batch of 6 frames) finish, then cancel
        seen.append(next(job))
    reads = src.reads
    job.close()
    assert seen[-1].total == 30
    assert reads == 9  # frame 0 to size the batches, then the first batch's frames 0-7 once each, not the whole clip
    assert src.reads == reads
    for tid, t in proj.tracks.items():
        assert t.equals(before[tid])


def test_undo_of_a_propagation_restores_every_array(clip):
    frames, J = clip
    proj = project_from_joints(J, (160, 120), [0, 12, 35])
    before = snapshot(proj)
    edit = run_to_completion(get_propagator("flow").run(proj, ListSource(frames)))
    edit.apply(proj)
    assert not proj.tracks[0].equals(before[0])
    edit.revert(proj)
    for tid, t in proj.tracks.items():
        assert t.equals(before[tid])


@pytest.mark.parametrize("method", ["interp", "flow"])
def test_incremental_repropagation_touches_only_the_two_neighbouring_gaps(clip, method):
    frames, J = clip
    proj = project_from_joints(J, (160, 120), [0, 7, 14, 21, 28, 35])
    prop = get_propagator(method)
    run_to_completion(prop.run(proj, ListSource(frames))).apply(proj)
    MoveKeypoint(proj, 1, 14, 9, tuple(J[14, 1, 9] + np.array([6.0, -4.0]))).apply(proj)
    gaps = gaps_around(proj, 1, 14)
    assert [(g.start, g.stop) for g in gaps] == [(8, 14), (15, 21)]
    assert frames_around(proj, 1, 14) == (8, 21)
    before = snapshot(proj)
    src = ListSource(frames)
    edit = run_to_completion(prop.run(proj, src, track_ids=[1], frames=frames_around(proj, 1, 14)))
    change = edit.apply(proj)
    assert change.tracks == frozenset({1}) and (change.start, change.stop) == (8, 21)
    assert proj.tracks[0].equals(before[0])
    t, b = proj.tracks[1], before[1]
    outside = np.r_[0:8, 21:36]
    assert np.array_equal(t.xy[outside], b.xy[outside]) and np.array_equal(t.score[outside], b.score[outside])
    # The wrist moved 7 px on frame 14: its neighbours follow, the far gaps do not.
    assert not np.allclose(t.xy[13, 9], b.xy[13, 9]) and not np.allclose(t.xy[15, 9], b.xy[15, 9])
    if method == "flow":
        assert src.reads <= 2 * (21 - 7 + 1)
