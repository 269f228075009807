"""Stepping, keyframe / review jumps, timeline scrubbing and range selection, playback."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import QPoint, Qt

from app.timeline.widget import RULER_H

# These tests check the editor itself: the annotation loop (auto re-propagation, review queue taking
# over Ctrl+→) is not built, so nothing edits the project behind the test's back.
pytestmark = pytest.mark.editor_only


def test_step_frames_and_keyframes(qtbot, window):
    doc = window.doc
    assert doc.frame == 0
    qtbot.keyClick(window, Qt.Key.Key_Right)
    qtbot.keyClick(window, Qt.Key.Key_Right)
    assert doc.frame == 2
    qtbot.waitUntil(lambda: window.scene.shown_frame == 2, timeout=3000)  # pixels follow, decoded off-thread
    qtbot.keyClick(window, Qt.Key.Key_Left)
    assert doc.frame == 1
    qtbot.keyClick(window, Qt.Key.Key_Right, Qt.KeyboardModifier.ShiftModifier)
    assert doc.frame == 7  # manual keyframe and multiple of T=7
    qtbot.keyClick(window, Qt.Key.Key_Right, Qt.KeyboardModifier.ShiftModifier)
    assert doc.frame == 14
    qtbot.keyClick(window, Qt.Key.Key_Right, Qt.KeyboardModifier.ShiftModifier)
    assert doc.frame == 21  # every-T marker without labels
    qtbot.keyClick(window, Qt.Key.Key_Left, Qt.KeyboardModifier.ShiftModifier)
    assert doc.frame == 14
    qtbot.keyClick(window, Qt.Key.Key_End)
    assert doc.frame == doc.num_frames - 1
    qtbot.keyClick(window, Qt.Key.Key_Right)
    assert doc.frame == doc.num_frames - 1  # clamped
    qtbot.keyClick(window, Qt.Key.Key_Home)
    assert doc.frame == 0


def test_next_frame_needing_review(qtbot, window):
    doc = window.doc
    qtbot.keyClick(window, Qt.Key.Key_Right, Qt.KeyboardModifier.ControlModifier)
    assert doc.frame == 1  # interpolated joints, nobody reviewed them
    qtbot.keyClick(window, Qt.Key.Key_R)  # mark frame 1 reviewed
    doc.set_frame(0)
    qtbot.keyClick(window, Qt.Key.Key_Right, Qt.KeyboardModifier.ControlModifier)
    assert doc.frame == 2
    doc.set_frame(14)
    qtbot.keyClick(window, Qt.Key.Key_Right, Qt.KeyboardModifier.ControlModifier)
    assert doc.frame == 14  # nothing machine-made after the last keyframe: stays
    qtbot.keyClick(window, Qt.Key.Key_Left, Qt.KeyboardModifier.ControlModifier)
    assert doc.frame == 13


def test_number_keys_pick_people(qtbot, window):
    qtbot.keyClick(window, Qt.Key.Key_2)
    assert window.doc.track_id == 1
    qtbot.keyClick(window, Qt.Key.Key_1)
    assert window.doc.track_id == 0
    qtbot.keyClick(window, Qt.Key.Key_5)  # nobody 5th: selection kept
    assert window.doc.track_id == 0


def test_goto_frame(qtbot, window, monkeypatch):
    from PySide6.QtWidgets import QInputDialog

    monkeypatch.setattr(QInputDialog, "getInt", staticmethod(lambda *a, **k: (17, True)))
    qtbot.keyClick(window, Qt.Key.Key_G)
    assert window.doc.frame == 17


def test_timeline_click_and_drag_seek(qtbot, window):
    tl = window.timeline_dock.timeline
    y = RULER_H // 2
    qtbot.mouseClick(tl, Qt.MouseButton.LeftButton, pos=QPoint(int(tl.x_of(20) + 1), y))
    assert window.doc.frame == 20
    qtbot.mousePress(tl, Qt.MouseButton.LeftButton, pos=QPoint(int(tl.x_of(5) + 1), y))
    qtbot.mouseMove(tl, QPoint(int(tl.x_of(9) + 1), y))
    qtbot.mouseRelease(tl, Qt.MouseButton.LeftButton, pos=QPoint(int(tl.x_of(9) + 1), y))
    assert window.doc.frame == 9
    # Shift+drag selects a range; R then marks the whole range reviewed.
    qtbot.mousePress(tl, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.ShiftModifier, QPoint(int(tl.x_of(2) + 1), y))
    qtbot.mouseMove(tl, QPoint(int(tl.x_of(6) + 1), y))
    qtbot.mouseRelease(tl, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.ShiftModifier, QPoint(int(tl.x_of(6) + 1), y))
    assert window.doc.frame_range == (2, 7)
    qtbot.keyClick(window, Qt.Key.Key_R)
    t0 = window.doc.project.tracks[0]
    assert t0.reviewed[2:7].all() and not t0.reviewed[7:].any() and not t0.reviewed[:2].any()


def test_timeline_zoom_keeps_playhead_visible(qtbot, window):
    tl = window.timeline_dock.timeline
    window.doc.set_frame(25)
    tl.zoom(4)
    assert tl.view_start <= 25 < tl.view_start + tl.view_len
    window.doc.set_frame(0)
    assert tl.view_start <= 0 < tl.view_start + tl.view_len
    tl.zoom_all()
    assert tl.view_len == window.doc.num_frames


def test_play_and_pause(qtbot, window):
    qtbot.keyClick(window, Qt.Key.Key_Space)
    assert window.playback.playing
    qtbot.waitUntil(lambda: window.doc.frame >= 3, timeout=3000)
    qtbot.keyClick(window, Qt.Key.Key_Space)
    assert not window.playback.playing
    f = window.doc.frame
    qtbot.wait(200)
    assert window.doc.frame == f


def test_frame_loader_newest_request_wins(qtbot, window):
    got = []
    window.loader.frame_ready.connect(lambda i, img: got.append(i))
    for i in range(1, 25):
        window.loader.request(i)
    qtbot.waitUntil(lambda: bool(got) and got[-1] == 24, timeout=5000)
    assert len(got) < 24  # intermediate requests were dropped, not queued
    qtbot.wait(100)
    assert got[-1] == 24


def test_canvas_items_follow_frames(qtbot, window):
    doc = window.doc
    assert set(window.scene.items_by_track) == {0, 1}
    doc.set_frame(20)
    assert window.scene.items_by_track == {}  # nobody labelled on frame 20
    doc.set_frame(14)
    item = window.scene.items_by_track[0]
    assert item.boundingRect().contains(*np.asarray(doc.project.tracks[0].xy[14, 5], float))


def test_only_changed_people_on_this_frame_repaint(qtbot, window, monkeypatch):
    from app.canvas.pose_item import PoseItem
    from stdpose_core.ops.annotate import place_joint

    refreshed = []
    monkeypatch.setattr(PoseItem, "refresh", lambda self: refreshed.append(self.track_id))
    doc = window.doc
    doc.push(place_joint(doc.project, 1, 5, 5, (100.0, 100.0)))  # another frame: nothing to repaint
    assert refreshed == []
    doc.push(place_joint(doc.project, 1, 0, 5, (100.0, 100.0)))  # this frame, person 1 only
    assert refreshed == [1]


def test_motion_trails_toggle(qtbot, window):
    doc = window.doc
    doc.set_frame(5)
    doc.select(0)
    qtbot.keyClick(window, Qt.Key.Key_T)
    trails = window.scene.trails
    assert trails.length > 0 and len(trails._paths) >= 10  # one polyline per labelled joint
    qtbot.keyClick(window, Qt.Key.Key_T)
    assert trails._paths == []
