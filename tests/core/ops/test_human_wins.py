"""A person's joints win over what a background job computed on an older copy of the project."""

from __future__ import annotations

import numpy as np
from prop_clips import project_from_joints, rigid_clip

from stdpose_core.data import Source
from stdpose_core.data.edits import DeleteTrack, edit_is_empty
from stdpose_core.ops.annotate import place_joint
from stdpose_core.ops.human_wins import human_joint_touches, protect_human
from stdpose_core.ops.jobs import propagate_job
from stdpose_core.progress import run_to_completion
from stdpose_core.propagation import get_propagator


def test_a_job_never_overwrites_joints_placed_while_it_ran():
    _, J = rigid_clip(15, people=2)
    live = project_from_joints(J, (160, 120), [0, 7, 14])
    copy = project_from_joints(J, (160, 120), [0, 7, 14])
    edit = run_to_completion(propagate_job(copy, None, get_propagator("interp")))
    place_joint(live, 0, 3, 9, (42.0, 43.0)).apply(live)  # a person places a joint meanwhile
    live_dropped = DeleteTrack(1)
    live_dropped.apply(live)  # and deletes the other person
    protect_human(edit, live).apply(live)
    t = live.tracks[0]
    assert np.allclose(t.xy[3, 9], (42.0, 43.0)) and t.source[3, 9] == Source.MANUAL
    assert t.source[3, 8] == Source.INTERPOLATED and t.source[4, 9] == Source.INTERPOLATED
    assert 1 not in live.tracks  # no write resurrects a deleted person


def test_human_touches_names_the_keyframes_an_edit_set_or_removed():
    _, J = rigid_clip(15, people=1)
    project = project_from_joints(J, (160, 120), [0, 7, 14])
    move = place_joint(project, 0, 7, 9, (30.0, 30.0))
    move.apply(project)
    assert human_joint_touches(move) == {(0, 7, 9)}
    machine = run_to_completion(propagate_job(project, None, get_propagator("interp")))
    machine.apply(project)
    assert human_joint_touches(machine) == set()
    assert edit_is_empty(None) and not edit_is_empty(machine)
