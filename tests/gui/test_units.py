"""Pure parts of the app (timeline state codes and binning, shortcut table) and the core navigation queries it uses."""

from __future__ import annotations

import numpy as np

from app.shortcuts import ACTIONS, conflicts, effective_keys
from app.timeline.states import ABSENT, BOX, DETECTED, LOW_CONF, MANUAL, PROPAGATED, REVIEWED, bin_states, track_states
from stdpose_core.data import Project, Source, VideoInfo
from stdpose_core.ops.navigation import keyframe_marks, needs_review, next_in
from stdpose_core.skeleton import get_skeleton


def _project(n=20):
    p = Project(get_skeleton("posetrack18"), VideoInfo("v.mp4", n, 100, 100))
    t = p.new_track(0)
    t.vis[:10] = 2
    t.source[:10] = Source.PROPAGATED
    t.score[:10] = 0.9
    t.source[0] = Source.MANUAL
    t.score[4, 3] = 0.1
    t.reviewed[6] = True
    p.tracks[0] = t
    return p


def test_track_states():
    s = track_states(_project().tracks[0], 0.5)
    assert s[0] == MANUAL and s[1] == PROPAGATED and s[4] == LOW_CONF and s[6] == REVIEWED
    assert (s[10:] == ABSENT).all()


def test_a_box_alone_is_not_called_detected():
    t = _project().tracks[0]
    t.bbox[12] = [1, 1, 20, 20]  # a box, no joints
    t.vis[13] = 2
    t.source[13] = Source.APPROXIMATED  # a detector pre-label
    t.score[13] = 0.3  # an approximated joint's known low score does not make the frame red
    s = track_states(t, 0.5)
    assert s[12] == BOX and s[13] == DETECTED and s[14] == ABSENT


def test_bin_states_zoomed_out_keeps_rare_low_confidence():
    states = np.full(10000, PROPAGATED, np.uint8)
    states[5003] = LOW_CONF
    x0, x1, codes = bin_states(states, 0, 10000, 500)
    assert x0[0] == 0 and x1[-1] == 500 and (x0[1:] == x1[:-1]).all()
    assert LOW_CONF in codes and len(codes) == 3


def test_bin_states_zoomed_in_spans_frames():
    states = np.array([0, 0, 4, 4, 2], np.uint8)
    x0, x1, codes = bin_states(states, 0, 5, 100)
    assert codes.tolist() == [0, 4, 2] and x0.tolist() == [0, 40, 80] and x1.tolist() == [40, 80, 100]


def test_navigation_queries():
    p = _project()
    p.keyframe_interval = 7
    assert keyframe_marks(p).tolist() == [0, 7, 14]
    review = needs_review(p)
    assert review[1] and not review[6] and not review[12]
    frames = np.flatnonzero(review)
    assert next_in(frames, 5, 1) == 7 and next_in(frames, 5, -1) == 4
    assert next_in(frames, 9, 1) is None


def test_shortcut_table_has_no_conflicts_and_overrides_apply():
    assert conflicts({}) == {}
    spec = next(a for a in ACTIONS if a.id == "nav.next")
    assert effective_keys(spec, {"nav.next": "D"}) == ("D",)
    assert conflicts({"nav.next": "Left"})  # rebinding onto a used key is detected
