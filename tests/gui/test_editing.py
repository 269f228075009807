"""Editing through real mouse/keyboard events on the real window; the project file checked after each step."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import QPoint, Qt

from stdpose_core.data import Source

# These tests check the editor itself: the annotation loop (auto re-propagation, review queue taking
# over Ctrl+→) is not built, so nothing edits the project behind the test's back.
pytestmark = pytest.mark.editor_only

L = Qt.MouseButton.LeftButton


def drag(qtbot, widget, start: QPoint, end: QPoint, steps: int = 5, modifier=Qt.KeyboardModifier.NoModifier) -> None:
    qtbot.mousePress(widget, L, modifier, start)
    for i in range(1, steps + 1):
        p = start + (end - start) * (i / steps)
        qtbot.mouseMove(widget, QPoint(int(p.x()), int(p.y())))
    qtbot.mouseRelease(widget, L, modifier, end)


def test_drag_joint_is_one_undo_step_and_durable(qtbot, window, at, reopen):
    doc, vp = window.doc, window.view.viewport()
    path = doc.path
    doc.set_frame(3)  # an interpolated frame: the joint becomes CORRECTED
    k = 12  # right hip
    x0, y0 = doc.project.tracks[0].xy[3, k]
    before = reopen(path).tracks[0].xy[3].copy()
    drag(qtbot, vp, at(window, x0, y0), at(window, x0 + 20, y0 + 10), steps=6)

    assert doc.undo_stack.count() == 1
    moved = doc.project.tracks[0].xy[3, k]
    assert np.allclose(moved, (x0 + 20, y0 + 10), atol=1.5)
    assert doc.project.tracks[0].source[3, k] == Source.CORRECTED
    on_disk = reopen(path).tracks[0]
    assert np.allclose(on_disk.xy[3, k], moved) and on_disk.source[3, k] == Source.CORRECTED

    doc.undo_stack.undo()
    assert np.array_equal(doc.project.tracks[0].xy[3], before)
    assert np.array_equal(reopen(path).tracks[0].xy[3], before)
    assert reopen(path).tracks[0].source[3, k] == Source.INTERPOLATED

    doc.undo_stack.redo()
    assert np.allclose(reopen(path).tracks[0].xy[3, k], moved)
    assert doc.undo_stack.count() == 1

    # A second drag is a second step.
    drag(qtbot, vp, at(window, *moved), at(window, moved[0] - 5, moved[1]), steps=3)
    assert doc.undo_stack.count() == 2


def test_a_drag_reaches_the_file_through_core_code_and_the_document_only_observes(qtbot, window, at, reopen, monkeypatch):
    """canvas → core gesture (stdpose_core.ops.drag) → session → store: no app-side builder, no Document.push."""
    import app.document
    import stdpose_core.ops.drag as core_drag

    def not_the_document(*a, **k):
        raise AssertionError("a drag went back up into Document.push")

    monkeypatch.setattr(app.document.Document, "push", not_the_document)
    positions = []
    real_move_to = core_drag.Drag.move_to
    monkeypatch.setattr(core_drag.Drag, "move_to", lambda self, session, x, y: positions.append((x, y)) or real_move_to(self, session, x, y))
    doc, vp = window.doc, window.view.viewport()
    doc.set_frame(7)
    qtbot.waitUntil(lambda: window.scene.shown_frame == 7, timeout=5000)
    x0, y0 = doc.project.tracks[1].xy[7, 6]  # a keyframe joint: it stays MANUAL
    drag(qtbot, vp, at(window, x0, y0), at(window, x0 - 12, y0 + 8), steps=4)
    assert positions and doc.undo_stack.count() == 1  # the document recorded the gesture as one step
    moved = doc.project.tracks[1].xy[7, 6]
    assert np.allclose(moved, (x0 - 12, y0 + 8), atol=1.5)
    on_disk = reopen(doc.path).tracks[1]
    assert np.allclose(on_disk.xy[7, 6], moved) and on_disk.source[7, 6] == Source.MANUAL


def test_visibility_keys(qtbot, window, reopen):
    doc = window.doc
    doc.select(1, 5)
    for key, want in ((Qt.Key.Key_O, 1), (Qt.Key.Key_X, 0), (Qt.Key.Key_V, 2)):
        qtbot.keyClick(window, key)
        assert doc.project.tracks[1].vis[0, 5] == want
        assert reopen(doc.path).tracks[1].vis[0, 5] == want
    assert doc.undo_stack.count() == 3
    doc.undo_stack.undo()
    doc.undo_stack.undo()
    assert reopen(doc.path).tracks[1].vis[0, 5] == 1


def test_add_person_by_box_then_delete(qtbot, window, at, reopen):
    doc, vp = window.doc, window.view.viewport()
    doc.set_frame(20)  # nobody labelled here
    assert doc.project.tracks_at(20) == []
    qtbot.keyClick(window, Qt.Key.Key_B)
    assert window.view.draw_box_mode
    drag(qtbot, vp, at(window, 100, 60), at(window, 180, 200))
    assert not window.view.draw_box_mode
    new = doc.track_id
    assert new == 2 and new in doc.project.tracks
    assert np.allclose(doc.project.tracks[new].bbox[20], (100, 60, 180, 200), atol=2)
    assert 2 in reopen(doc.path).tracks

    qtbot.keyClick(window, Qt.Key.Key_Delete)  # delete from this frame
    assert not doc.project.tracks[new].present()[20]
    doc.undo_stack.undo()
    assert doc.project.tracks[new].present()[20]

    doc.select(0)
    doc.set_frame(10)
    qtbot.keyClick(window, Qt.Key.Key_Delete, Qt.KeyboardModifier.ShiftModifier)  # from here on
    present = reopen(doc.path).tracks[0].present()
    assert present[:10].all() and not present[10:].any()

    doc.select(1)
    qtbot.keyClick(window, Qt.Key.Key_Delete, Qt.KeyboardModifier.ControlModifier)  # everywhere
    assert 1 not in doc.project.tracks and 1 not in reopen(doc.path).tracks
    doc.undo_stack.undo()
    assert 1 in reopen(doc.path).tracks


def test_swap_ids_from_frame(qtbot, window, monkeypatch, reopen):
    from PySide6.QtWidgets import QInputDialog

    doc = window.doc
    before = reopen(doc.path)
    doc.set_frame(5)
    doc.select(0)
    monkeypatch.setattr(QInputDialog, "getItem", staticmethod(lambda *a, **k: ("P1", True)))
    qtbot.keyClick(window, Qt.Key.Key_W)
    after = reopen(doc.path)
    assert np.array_equal(after.tracks[0].xy[:5], before.tracks[0].xy[:5])
    assert np.array_equal(after.tracks[0].xy[5:], before.tracks[1].xy[5:])
    assert np.array_equal(after.tracks[1].xy[5:], before.tracks[0].xy[5:])


def test_merge_tracks_command_without_window(window, reopen):
    from app.actions.commands import MergeTracks
    from stdpose_core.ops.annotate import delete_person

    doc = window.doc
    doc.push(delete_person(doc.project, 1, 10, "forward"))
    doc.push(delete_person(doc.project, 0, 0, "frame"))
    MergeTracks().do(doc, src=1, dst=0, keep="target")  # shared frames 1-9: person 0's poses stay
    merged = reopen(doc.path)
    assert list(merged.tracks) == [0]
    assert merged.tracks[0].present()[0]  # filled from track 1 where track 0 was absent


def test_merge_with_shared_frames_asks_whose_poses_stay(qtbot, window, monkeypatch, reopen, errors):
    from PySide6.QtWidgets import QInputDialog

    from app.actions.commands import MergeTracks

    doc = window.doc
    before = reopen(doc.path)
    doc.select(1)
    monkeypatch.setattr(QInputDialog, "getItem", staticmethod(lambda *a, **k: ("P0", True)))
    asked = []
    monkeypatch.setattr(MergeTracks, "resolve", staticmethod(lambda parent, c: asked.append(c) or None))
    qtbot.keyClick(window, Qt.Key.Key_M)  # cancelled at the conflict: nothing changes
    assert asked and asked[0].frames.tolist() == list(range(15)) and asked[0].human_src == 3 * 15
    assert "both present on 15 frames (0–14)" in asked[0].describe()
    assert set(reopen(doc.path).tracks) == {0, 1} and doc.undo_stack.count() == 0
    monkeypatch.setattr(MergeTracks, "resolve", staticmethod(lambda parent, c: "source"))
    qtbot.keyClick(window, Qt.Key.Key_M)
    merged = reopen(doc.path)
    assert list(merged.tracks) == [0]
    assert np.array_equal(merged.tracks[0].xy, before.tracks[1].xy)  # person 1's poses were kept
    assert "keeping P1's poses" in doc.undo_stack.text(0)
    doc.undo_stack.undo()
    assert set(reopen(doc.path).tracks) == {0, 1} and not errors


def test_copy_previous_keyframe_pose(qtbot, window, reopen):
    doc = window.doc
    doc.set_frame(10)
    doc.select(1)
    qtbot.keyClick(window, Qt.Key.Key_C)
    t = reopen(doc.path).tracks[1]
    assert np.array_equal(t.xy[10], t.xy[7])  # previous keyframe of person 1 is 7
    assert (t.source[10][t.vis[10] > 0] == Source.MANUAL).all()
    assert not np.array_equal(t.xy[10], doc.project.tracks[0].xy[10])


def test_move_whole_pose_by_dragging_inside_box(qtbot, window, at):
    doc = window.doc
    doc.select(0)
    t = doc.project.tracks[0]
    before = t.xy[0].copy()
    box = t.bbox[0]
    inside = (box[0] + 8, box[3] - 8)  # inside the box, away from joints and corner handles
    drag(qtbot, window.view.viewport(), at(window, *inside), at(window, inside[0] + 30, inside[1] + 5))
    shift = doc.project.tracks[0].xy[0] - before
    labelled = doc.project.tracks[0].vis[0] > 0
    assert np.allclose(shift[labelled], (30, 5), atol=1.5)
    assert doc.undo_stack.count() == 1


def test_place_empty_joint_from_joint_list(qtbot, window, at, reopen):
    doc = window.doc
    doc.set_frame(20)
    from stdpose_core.ops.annotate import add_person

    doc.push(add_person(doc.project, 20, (50, 50, 150, 200)))
    doc.select(2)
    panel = window.people_panel.joints
    row = next(i for i in range(panel.count()) if panel.item(i).text().startswith("left_wrist"))
    panel.itemClicked.emit(panel.item(row))
    assert doc.armed_joint == doc.project.skeleton.index("left_wrist")
    qtbot.mouseClick(window.view.viewport(), L, pos=at(window, 90, 120))
    t = reopen(doc.path).tracks[2]
    k = doc.project.skeleton.index("left_wrist")
    assert t.vis[20, k] == 2 and np.allclose(t.xy[20, k], (90, 120), atol=1.5)
    assert doc.armed_joint is None


def test_guided_mode_walks_joints(qtbot, window, at, reopen):
    doc = window.doc
    doc.set_frame(20)
    qtbot.keyClick(window, Qt.Key.Key_L)  # nobody selected: draw the person first
    assert window.view.draw_box_mode
    drag(qtbot, window.view.viewport(), at(window, 100, 40), at(window, 200, 220))
    assert window.guided.active and doc.armed_joint == 0  # nose
    qtbot.mouseClick(window.view.viewport(), L, pos=at(window, 150, 60))  # nose
    qtbot.keyClick(window, Qt.Key.Key_S)  # skip head_bottom
    qtbot.keyClick(window, Qt.Key.Key_O)  # head_top as occluded
    qtbot.mouseClick(window.view.viewport(), L, pos=at(window, 150, 45))
    assert "LEFT SHOULDER" in window.banner.text()
    t = reopen(doc.path).tracks[doc.track_id]
    assert t.vis[20, 0] == 2 and t.vis[20, 1] == 0 and t.vis[20, 2] == 1
    assert np.allclose(t.xy[20, 2], (150, 45), atol=1.5)
    qtbot.keyClick(window, Qt.Key.Key_Escape)
    assert not window.guided.active and doc.armed_joint is None


def test_mark_reviewed_toggles(qtbot, window, reopen):
    doc = window.doc
    doc.set_frame(3)
    qtbot.keyClick(window, Qt.Key.Key_R)
    assert all(t.reviewed[3] for t in reopen(doc.path).tracks.values())
    qtbot.keyClick(window, Qt.Key.Key_R)
    assert not any(t.reviewed[3] for t in reopen(doc.path).tracks.values())


def test_command_needing_a_person_explains(qtbot, window, errors):
    window.doc.select(None)
    n = window.doc.undo_stack.count()
    qtbot.keyClick(window, Qt.Key.Key_Delete)
    assert window.doc.undo_stack.count() == n
    assert errors and "Select a person" in errors[-1][1]


def test_failed_write_on_undo_is_reported_and_state_stays_consistent(qtbot, window, errors, reopen):
    from stdpose_core.ops.annotate import place_joint

    doc = window.doc
    doc.push(place_joint(doc.project, 0, 0, 5, (50.0, 60.0)))
    moved = doc.project.tracks[0].xy[0, 5].copy()

    def broken(*a, **k):
        raise OSError(28, "No space left on device")

    store = doc.session.store
    original = store.commit
    store.commit = broken
    doc.undo_stack.undo()
    store.commit = original
    assert errors and "No space left" in errors[-1][1]
    assert np.array_equal(doc.project.tracks[0].xy[0, 5], moved)  # memory kept in step with the file
    assert np.array_equal(reopen(doc.path).tracks[0].xy[0, 5], moved)
    assert doc.undo_stack.count() == 0  # the step that cannot be undone left the history


def test_snapshot_is_independent(window):
    doc = window.doc
    snap = doc.snapshot()
    snap.tracks[0].xy[0, 5] = (1, 2)
    assert not np.array_equal(doc.project.tracks[0].xy[0, 5], (1, 2))
    assert set(snap.tracks) == set(doc.project.tracks)


def test_right_click_menu_sets_visibility(qtbot, window, at, monkeypatch):
    from PySide6.QtGui import QContextMenuEvent

    doc = window.doc
    x, y = doc.project.tracks[1].xy[0, 7].tolist()
    chosen = []

    def fake_exec(menu, _pos):
        act = next(a for a in menu.actions() if a.text().endswith(": Occluded"))
        chosen.append(act.text())
        act.trigger()

    monkeypatch.setattr(window.view, "exec_menu", fake_exec)
    pos = at(window, x, y)
    window.view.contextMenuEvent(QContextMenuEvent(QContextMenuEvent.Reason.Mouse, pos, window.view.viewport().mapToGlobal(pos)))
    assert chosen == ["left_elbow: Occluded"]
    assert doc.project.tracks[1].vis[0, 7] == 1 and (doc.track_id, doc.joint) == (1, 7)


def test_fast_drag_writes_are_throttled_but_end_exact(qtbot, window, at, reopen):
    doc, vp = window.doc, window.view.viewport()
    x0, y0 = doc.project.tracks[1].xy[0, 11].tolist()
    writes_before = doc.session.store.edit_count()
    drag(qtbot, vp, at(window, x0, y0), at(window, x0 - 25, y0 + 15), steps=40)  # 40 moves in a burst
    writes = doc.session.store.edit_count() - writes_before
    assert 1 <= writes < 40
    assert doc.undo_stack.count() == 1
    assert np.allclose(reopen(doc.path).tracks[1].xy[0, 11], (x0 - 25, y0 + 15), atol=1.5)


def test_undo_action_names_the_step(qtbot, window):
    from stdpose_core.ops.annotate import set_visibility

    undo = window.actions_by_id["edit.undo"]
    assert not undo.isEnabled()
    window.doc.push(set_visibility(window.doc.project, 0, 0, 5, 1))
    assert undo.isEnabled() and "set visibility" in undo.text()
    qtbot.keyClick(window, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert not undo.isEnabled() and window.actions_by_id["edit.redo"].isEnabled()
    assert window.doc.project.tracks[0].vis[0, 5] == 2


def test_box_handles_resize_the_box_alone_and_shift_scales_the_pose(qtbot, window, at, reopen):
    from stdpose_core.data import TrackFlag

    doc, vp = window.doc, window.view.viewport()
    doc.set_frame(3)
    doc.select(0)
    t = doc.project.tracks[0]
    pose, box = t.xy[3].copy(), t.bbox[3].copy()
    # The bottom-right corner: the box grows, the pose stays.
    drag(qtbot, vp, at(window, box[2], box[3]), at(window, box[2] + 20, box[3] + 10))
    t = reopen(doc.path).tracks[0]
    assert np.allclose(t.bbox[3], [box[0], box[1], box[2] + 20, box[3] + 10], atol=1.5)
    assert np.array_equal(t.xy[3], pose) and t.flags[3] & TrackFlag.BOX_SET
    # The left edge's midpoint moves only x1.
    b = t.bbox[3]
    drag(qtbot, vp, at(window, b[0], (b[1] + b[3]) / 2), at(window, b[0] - 6, (b[1] + b[3]) / 2 + 30))
    t2 = reopen(doc.path).tracks[0]
    assert np.allclose(t2.bbox[3], [b[0] - 6, b[1], b[2], b[3]], atol=1.5) and np.array_equal(t2.xy[3], pose)
    assert doc.undo_stack.count() == 2
    doc.undo_stack.undo()
    doc.undo_stack.undo()
    back = reopen(doc.path).tracks[0]
    assert np.allclose(back.bbox[3], box) and not back.flags[3] & TrackFlag.BOX_SET
    # Shift on a corner scales the pose with its box, as before.
    drag(qtbot, vp, at(window, box[2], box[3]), at(window, box[2] + 20, box[3] + 20), modifier=Qt.KeyboardModifier.ShiftModifier)
    scaled = reopen(doc.path).tracks[0]
    assert not np.allclose(scaled.xy[3][scaled.vis[3] > 0], pose[scaled.vis[3] > 0])


def test_ignore_regions_drawn_dragged_copied_and_deleted(qtbot, window, at, reopen, monkeypatch):
    from PySide6.QtWidgets import QInputDialog

    doc, vp = window.doc, window.view.viewport()
    doc.set_frame(20)  # nobody there: clicks reach the canvas
    qtbot.keyClick(window, Qt.Key.Key_I)
    assert window.view.region_mode and "Ignore regions" in window.banner.text()
    for x, y in ((200, 20), (300, 20), (300, 100), (200, 100)):
        qtbot.mouseClick(vp, L, pos=at(window, x, y))
    qtbot.mouseClick(vp, L, pos=at(window, 200, 20))  # the first point again: closed
    poly = reopen(doc.path).ignore_regions[20][0]
    assert np.allclose(poly, [(200, 20), (300, 20), (300, 100), (200, 100)], atol=1.5)
    drag(qtbot, vp, at(window, 300, 100), at(window, 310, 115))  # move a point
    assert np.allclose(reopen(doc.path).ignore_regions[20][0][2], (310, 115), atol=1.5)
    assert doc.undo_stack.count() == 2
    qtbot.keyClick(window, Qt.Key.Key_I)
    assert not window.view.region_mode
    monkeypatch.setattr(QInputDialog, "getInt", staticmethod(lambda *a, **k: (3, True)))
    qtbot.keyClick(window, Qt.Key.Key_I, Qt.KeyboardModifier.ShiftModifier)
    stored = reopen(doc.path).ignore_regions
    assert sorted(stored) == [20, 21, 22, 23]
    # Right-click inside the region: delete it on this frame.
    window.view.exec_menu = lambda menu, pos: next(a for a in menu.actions() if a.text().startswith("Delete this ignore")).trigger()
    from PySide6.QtGui import QContextMenuEvent
    from PySide6.QtWidgets import QApplication

    p = at(window, 250, 60)
    QApplication.sendEvent(vp, QContextMenuEvent(QContextMenuEvent.Reason.Mouse, p, vp.mapToGlobal(p)))
    assert sorted(reopen(doc.path).ignore_regions) == [21, 22, 23]
    doc.undo_stack.undo()
    assert sorted(reopen(doc.path).ignore_regions) == [20, 21, 22, 23]


def test_hover_label_follows_visibility_keys(qtbot, window, at):
    doc, view = window.doc, window.view
    doc.set_frame(7)
    qtbot.waitUntil(lambda: window.scene.shown_frame == 7, timeout=5000)
    k = 9
    x, y = doc.project.tracks[0].xy[7, k].tolist()
    qtbot.mouseMove(view.viewport(), at(window, x, y))
    qtbot.waitUntil(view._hover.isVisible, timeout=2000)
    assert "visible" in view._hover.text()
    doc.select(0, k)
    qtbot.keyClick(window, Qt.Key.Key_O)
    assert "occluded" in view._hover.text(), "the label is re-read after V/O/X"


def test_people_panel_flags_a_person_outside_and_truncated(qtbot, window, reopen):
    from stdpose_core.data import TrackFlag

    doc, panel = window.doc, window.people_panel
    doc.set_frame(3)
    doc.select(1)
    assert panel.outside.isEnabled() and not panel.truncated.isChecked()
    panel.truncated.click()
    assert reopen(doc.path).tracks[1].flags[3] & TrackFlag.TRUNCATED and panel.truncated.isChecked()
    doc.set_range((5, 8))
    panel.outside.click()
    t = reopen(doc.path).tracks[1]
    assert t.has_flag(TrackFlag.OUTSIDE)[5:8].all() and not t.present()[5:8].any()
    doc.set_range(None)
    doc.set_frame(6)
    assert panel.outside.isChecked() and "out of view" in panel.hint.text()
    doc.undo_stack.undo()
    assert reopen(doc.path).tracks[1].present()[5:8].all()
