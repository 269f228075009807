"""Review queue, Ctrl+→ navigation, fixes and reviewed frames; confidence curve and threshold."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import Qt

from stdpose_core.data import Source

CTRL = Qt.KeyboardModifier.ControlModifier


def queue(window):
    window.review.recompute()
    return window.review.queue


def test_queue_lists_low_confidence_joints_riskiest_first(window):
    q = queue(window)
    assert len(q) > 0
    assert (q.score < 0.5).all()
    assert np.all(np.diff(q.risk) <= 1e-6)
    t = window.doc.project.tracks[int(q.track[0])]
    assert t.source[q.frame[0], q.joint[0]] == Source.INTERPOLATED
    assert str(len(q)) in window.review_panel.count_label.text()
    assert window.review_panel.model.rowCount() == len(q)


def test_ctrl_right_walks_the_queue(qtbot, window):
    doc, q = window.doc, queue(window)
    qtbot.keyClick(window, Qt.Key.Key_Right, CTRL)
    assert (doc.frame, doc.track_id, doc.joint) == (q.frame[0], q.track[0], q.joint[0])
    qtbot.keyClick(window, Qt.Key.Key_Right, CTRL)
    assert (doc.frame, doc.track_id, doc.joint) == (q.frame[1], q.track[1], q.joint[1])
    qtbot.keyClick(window, Qt.Key.Key_Left, CTRL)
    assert (doc.frame, doc.track_id, doc.joint) == (q.frame[0], q.track[0], q.joint[0])


def test_fixing_a_joint_shrinks_the_queue_and_marking_reviewed_removes_the_frame(qtbot, window):
    from stdpose_core.ops.annotate import place_joint

    doc = window.doc
    window.jobs.auto.enabled = False  # the queue change comes from the fix alone here
    q = queue(window)
    n = len(q)
    qtbot.keyClick(window, Qt.Key.Key_Right, CTRL)
    f, tid, k = doc.frame, doc.track_id, doc.joint
    x, y = doc.project.tracks[tid].xy[f, k].tolist()
    doc.push(place_joint(doc.project, tid, f, k, (x + 2, y)))
    assert doc.project.tracks[tid].source[f, k] == Source.CORRECTED
    q2 = queue(window)
    assert len(q2) == n - 1
    assert not ((q2.frame == f) & (q2.track == tid) & (q2.joint == k)).any()
    # The selection moved on to the item that took its place; Ctrl+→ shows it.
    qtbot.keyClick(window, Qt.Key.Key_Right, CTRL)
    assert (doc.frame, doc.track_id, doc.joint) == (q2.frame[0], q2.track[0], q2.joint[0])

    on_frame = int((q2.frame == doc.frame).sum())
    assert on_frame > 0
    qtbot.keyClick(window, Qt.Key.Key_R)  # mark the frame reviewed
    q3 = queue(window)
    assert len(q3) == len(q2) - on_frame and not (q3.frame == doc.frame).any()


def test_fix_from_the_queue_repropagates_locally(qtbot, window):
    from stdpose_core.ops.annotate import place_joint

    doc, jobs = window.doc, window.jobs
    jobs.set_method("interp")
    jobs.auto.timer.setInterval(20)
    window.review_panel.step(1)
    f, tid, k = doc.frame, doc.track_id, doc.joint
    x, y = doc.project.tracks[tid].xy[f, k].tolist()
    with qtbot.waitSignal(jobs.runner.finished, timeout=20000):
        doc.push(place_joint(doc.project, tid, f, k, (x + 6, y + 3)))
    step = doc.undo_stack.command(doc.undo_stack.count() - 1)
    assert step.text() == "move keypoint"  # the fix, with its re-propagation in the same undo step
    assert [e.label for e in step.follow_ups] == [f"re-propagate around frame {f}"]


def test_threshold_slider_drives_queue_timeline_and_curve(qtbot, window):
    row, state = window.confidence_row, window.review
    n_half = len(queue(window))
    row.slider.setValue(95)
    assert state.threshold == 0.95 and window.timeline_dock.timeline.low_confidence == 0.95
    assert len(queue(window)) > n_half
    row.slider.setValue(10)
    assert len(queue(window)) < n_half
    mean, low = state.mean_conf, state.low_conf
    assert np.isnan(mean[0]) and 0.3 <= low[3] <= mean[3] <= 0.9  # keyframe: no machine joints
    img = row.curve.grab()
    assert not img.isNull() and img.width() > 100
    # Clicking the curve seeks.
    x = int(row.curve.x_of(10.5))
    qtbot.mouseClick(row.curve, Qt.MouseButton.LeftButton, pos=row.curve.rect().center().__class__(x, 20))
    assert window.doc.frame == 10


def test_the_why_column_fits_its_reasons_and_says_them_in_full(qtbot, window):
    from stdpose_core.review import reason_text

    panel = window.review_panel
    q = window.review.queue
    assert len(q)
    header = panel.table.horizontalHeader()
    fm = panel.table.fontMetrics()
    widest = max(fm.horizontalAdvance(reason_text(int(m), short=True)) for m in set(q.reasons.tolist()))
    why = panel.model.columnCount() - 1
    assert header.sectionSize(why) >= widest
    total = sum(header.sectionSize(c) for c in range(panel.model.columnCount()))
    assert total <= panel.table.viewport().width() + 2, "every column, Why included, fits the dock"
    index = panel.model.index(0, why)
    tip = panel.model.data(index, Qt.ItemDataRole.ToolTipRole)
    assert reason_text(int(q.reasons[0])) in tip and f"frame {int(q.frame[0])}" in tip
