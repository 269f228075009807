"""Re-propagation after a person's edit (stdpose_core.ops.repropagate): per joint, never over reviewed frames."""

from __future__ import annotations

import numpy as np
import pytest
from prop_clips import project_from_joints, rigid_clip

from stdpose_core.data import Source
from stdpose_core.data.edits import Compound
from stdpose_core.ops.annotate import mark_reviewed, place_joint
from stdpose_core.ops.human_wins import protect_human
from stdpose_core.ops.jobs import propagate_job
from stdpose_core.ops.repropagate import Segment, plan, repropagate_job, touched_joints
from stdpose_core.progress import run_to_completion
from stdpose_core.propagation import ListSource, get_propagator

USED = [k for k in range(17) if k not in (3, 4)]
WRIST = 9


@pytest.fixture
def propagated():
    """Two people on a wobbling clip, keyframes 0, 10, 20, flow-propagated in between."""
    frames, J = rigid_clip(21, motion=(1.5, 0.5), people=2, wobble=4.0)
    project = project_from_joints(J, (160, 120), [0, 10, 20])
    src = ListSource(frames)
    run_to_completion(propagate_job(project, src, get_propagator("flow"))).apply(project)
    return project, src, J


def snapshot(project):
    return {tid: t.copy() for tid, t in project.tracks.items()}


def changed(before, project, field="xy"):
    """{tid: [F,K] bool} where ``field`` differs from ``before``."""
    out = {}
    for tid, t in project.tracks.items():
        a, b = getattr(before[tid], field), getattr(t, field)
        d = a != b
        out[tid] = d.any(axis=-1) if d.ndim == 3 else (d if d.ndim == 2 else d[:, None])
    return out


def correct(project, src, tid, frame, joint, xy):
    edit = place_joint(project, tid, frame, joint, xy)
    edit.apply(project)
    rep = protect_human(run_to_completion(repropagate_job(project, src, get_propagator("flow"), touched_joints(edit))), project)
    rep.apply(project)
    return rep


def test_a_corrected_joint_changes_only_its_own_segment(propagated):
    project, src, J = propagated
    before = snapshot(project)
    target = tuple((J[5, 0, WRIST] + [6.0, -4.0]).tolist())
    rep = correct(project, src, 0, 5, WRIST, target)
    diff = changed(before, project)
    assert not diff[1].any(), "the other person is untouched"
    d0 = diff[0]
    assert d0[:, WRIST].any()
    others = np.delete(d0, WRIST, axis=1)
    assert not others.any(), "no other joint of the person changes (not even on the corrected frame)"
    frames = np.flatnonzero(d0[:, WRIST])
    assert frames.min() >= 1 and frames.max() <= 9, "only between the wrist's anchors 0 and 10"
    assert set(frames) - {5}, "the re-propagation moved the wrist on frames next to the fix"
    assert np.allclose(project.tracks[0].xy[5, WRIST], target)
    # Boxes and the other sources stay: one joint anchors one joint.
    assert np.array_equal(before[0].bbox, project.tracks[0].bbox, equal_nan=True)
    assert len(rep.edits) >= 1


def test_frames_a_person_reviewed_are_never_changed_again(propagated):
    project, src, J = propagated
    mark_reviewed(project, 1, 5).apply(project)
    before = snapshot(project)
    correct(project, src, 0, 5, WRIST, tuple((J[5, 0, WRIST] + [6.0, -4.0]).tolist()))
    diff = changed(before, project)[0]
    assert not diff[1:5].any(), "reviewed frames 1-4 keep every joint"
    assert diff[6:10, WRIST].any(), "unreviewed frames after the fix follow it"
    # A full Propagate after a keyframe change keeps reviewed frames too.
    for k in USED:
        place_joint(project, 0, 0, k, tuple((project.tracks[0].xy[0, k] + 3.0).tolist())).apply(project)
    before = snapshot(project)
    run_to_completion(propagate_job(project, src, get_propagator("flow"))).apply(project)
    diff = changed(before, project)[0]
    assert not diff[1:5].any() and diff[6:10].any()


def test_a_fix_anchors_only_its_joint_for_later_fixes(propagated):
    project, src, J = propagated
    correct(project, src, 0, 5, WRIST, tuple((J[5, 0, WRIST] + 5.0).tolist()))
    elbow = 7
    edit = place_joint(project, 0, 7, elbow, tuple(J[7, 0, elbow].tolist()))
    edit.apply(project)
    # Frame 5 is a keyframe of the track now (the wrist), but not of the elbow: it still spans 0..10.
    assert plan(project, touched_joints(edit)) == [Segment(0, 1, 10, (0, 7, 10), (elbow,), False)]
    assert project.tracks[0].source[5, elbow] == Source.PROPAGATED


def test_reviewed_frames_shrink_or_skip_the_segments(propagated):
    project, src, J = propagated
    mark_reviewed(project, 1, 5, track_ids=[0]).apply(project)
    edit = place_joint(project, 0, 5, WRIST, (50.0, 50.0))
    edit.apply(project)
    # The side behind the fix is reviewed all through: only 6..9 is run, from the fix and keyframe 10.
    assert plan(project, touched_joints(edit)) == [Segment(0, 6, 10, (5, 10), (WRIST,), False)]
    mark_reviewed(project, 6, 10, track_ids=[0]).apply(project)
    assert plan(project, touched_joints(edit)) == []
    assert run_to_completion(repropagate_job(project, src, get_propagator("flow"), touched_joints(edit))).edits == []


def test_a_whole_new_keyframe_moves_the_box_too(propagated):
    project, src, J = propagated
    before = snapshot(project)
    edits = []
    for k in USED:
        e = place_joint(project, 1, 15, k, tuple((J[15, 1, k] + [0.0, 8.0]).tolist()))
        e.apply(project)
        edits.append(e)
    segs = plan(project, touched_joints(Compound(edits)))
    assert segs == [Segment(1, 11, 20, (10, 15, 20), tuple(USED), True)]
    correct(project, src, 1, 15, 0, tuple(project.tracks[1].xy[15, 0].tolist()))  # one more touch at 15
    run_to_completion(repropagate_job(project, src, get_propagator("flow"), touched_joints(Compound(edits)))).apply(project)
    assert changed(before, project, "bbox")[1][11:15].all()


def test_protect_human_drops_machine_writes_on_frames_reviewed_meanwhile(propagated):
    project, src, J = propagated
    snapshot_project = project  # the job computes on the state before the review
    edit = run_to_completion(propagate_job(snapshot_project, src, get_propagator("interp")))
    mark_reviewed(project, 2, 4).apply(project)
    before = snapshot(project)
    protect_human(edit, project).apply(project)
    for tid in project.tracks:
        assert not changed(before, project)[tid][2:4].any()
        assert np.array_equal(before[tid].bbox[2:4], project.tracks[tid].bbox[2:4], equal_nan=True)


def test_unknown_tracks_and_untouched_edits_plan_nothing(propagated):
    project, src, _ = propagated
    assert plan(project, {(7, 3, 0)}) == []
    assert run_to_completion(repropagate_job(project, src, get_propagator("flow"), set())).edits == []
