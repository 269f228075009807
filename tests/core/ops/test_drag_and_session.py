"""Drags reach the project file through core code (gesture → session → store); listeners observe."""

from __future__ import annotations

import numpy as np
import pytest
from prop_clips import project_from_joints, rigid_clip

from stdpose_core.data import Source
from stdpose_core.ops.drag import JointDrag, PoseDrag
from stdpose_core.session import ProjectSession


@pytest.fixture
def session(tmp_path):
    _, J = rigid_clip(15, people=2)
    s = ProjectSession.create(tmp_path / "p.stdpose", project_from_joints(J, (160, 120), [0, 7, 14]))
    yield s
    s.close()


def reopen(path):
    with ProjectSession.open(path, mode="read") as s:  # beside the session that writes it
        return s.project


def test_a_joint_drag_is_committed_position_by_position_and_tagged_as_one_gesture(session):
    heard = []
    session.subscribe(heard.append)
    drag = JointDrag(0, 7, 9)
    for x in (50.0, 55.0, 500.0):  # the last one is outside the 160 px wide image
        drag.move_to(session, x, 30.0)
        assert np.allclose(reopen(session.path).tracks[0].xy[7, 9], (min(x, 159.0), 30.0))
    assert [e.gesture for e in heard] == [drag] * 3 and {e.kind for e in heard} == {"do"}
    assert reopen(session.path).tracks[0].source[7, 9] == Source.MANUAL
    other = JointDrag(0, 7, 9)
    other.move_to(session, 40.0, 40.0)
    assert heard[-1].gesture is other and other != drag  # a new drag is a new gesture


def test_undo_and_redo_reach_listeners_with_their_kind(session):
    heard = []
    session.subscribe(heard.append)
    edit = JointDrag(1, 0, 5).edit_to(session.project, 20.0, 20.0)
    session.apply(edit)
    session.revert(edit)
    session.apply(edit, redo=True)
    assert [e.kind for e in heard] == ["do", "undo", "redo"]
    assert all(e.change.tracks == {1} for e in heard)
    session.unsubscribe(heard.append)
    session.revert(edit)
    assert len(heard) == 3


def test_a_pose_drag_moves_from_the_pose_at_the_press_so_positions_never_add_up(session):
    track = session.project.tracks[0]
    before = track.xy[7].copy()
    box = track.bbox[7].copy()
    press = (float(box[0] + 5), float(box[1] + 5))
    drag = PoseDrag.start(session.project, 0, 7, press, scale=False)
    for dx in (3.0, 6.0, 10.0):
        drag.move_to(session, press[0] + dx, press[1])
    used = track.vis[7] > 0
    assert np.allclose(reopen(session.path).tracks[0].xy[7][used], before[used] + [10.0, 0.0], atol=1e-4)
    assert np.allclose(track.bbox[7], box + [10, 0, 10, 0], atol=1e-4)


def test_a_scale_drag_scales_about_the_box_centre(session):
    track = session.project.tracks[1]
    box = track.bbox[7].astype(np.float64)
    center = box.reshape(2, 2).mean(0)
    corner = (float(box[2]), float(box[3]))
    drag = PoseDrag.start(session.project, 1, 7, corner, scale=True)
    drag.move_to(session, center[0] + 2 * (corner[0] - center[0]), center[1] + 2 * (corner[1] - center[1]))
    assert np.allclose(track.bbox[7], ((box.reshape(2, 2) - center) * 2 + center).reshape(4), atol=1e-3)
    drag.move_to(session, *center)  # through the centre: never below the minimum scale
    assert (track.bbox[7][2:] - track.bbox[7][:2] > 0).all()
