"""The timeline with many people: legible rows that scroll, the selected person kept in view."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QPoint, QPointF, Qt

from stdpose_core.data.edits import AddTrack, Compound

pytestmark = pytest.mark.editor_only


@pytest.fixture
def crowd(window):
    """30 people: person i present on frames [i % 10, i % 10 + 15)."""
    doc = window.doc
    edits = []
    base = doc.project.tracks[0].xy[0].copy()
    for i in range(2, 32):
        t = doc.project.new_track(i)
        a = i % 10
        for f in range(a, min(a + 15, doc.num_frames)):
            t.xy[f] = base + [i * 3, 0]
            t.vis[f] = doc.project.tracks[0].vis[0]
        edits.append(AddTrack(t))
    doc.push(Compound(edits, label="crowd"))
    return window


def test_thirty_people_get_legible_rows_that_scroll(qtbot, crowd):
    from app.timeline.widget import MIN_ROW_H

    dock, tl = crowd.timeline_dock, crowd.timeline_dock.timeline
    crowd.resizeDocks([dock], [260], Qt.Orientation.Vertical)
    qtbot.wait(50)
    assert len(tl.rows()) == 32
    assert tl.row_height() >= MIN_ROW_H
    shown = tl.shown_rows()
    assert 1 <= len(shown) < 32 and shown[0] == 0
    assert dock.row_scroll.isVisible() and dock.row_scroll.maximum() == 32 - tl.rows_fitting()
    assert dock.rows_label.text() == f"people 1–{len(shown)} of 32"
    # Selecting the last person scrolls its row into view; clicking its name selects it again.
    crowd.doc.select(31)
    assert 31 in tl.shown_rows()
    i = tl.shown_rows().index(31)
    crowd.doc.select(None)
    y = tl.row_top(i) + tl.row_height() // 2
    qtbot.mouseClick(tl, Qt.MouseButton.LeftButton, pos=QPoint(20, y))
    assert crowd.doc.track_id == 31
    # The scroll bar and the wheel over the names move the rows.
    dock.row_scroll.setValue(0)
    assert tl.row_offset == 0 and tl.shown_rows()[0] == 0
    from PySide6.QtGui import QWheelEvent
    from PySide6.QtWidgets import QApplication

    ev = QWheelEvent(QPointF(20, tl.row_top(1)), QPointF(tl.mapToGlobal(QPoint(20, tl.row_top(1)))), QPoint(0, 0),
                     QPoint(0, -120), Qt.MouseButton.NoButton, Qt.KeyboardModifier.NoModifier, Qt.ScrollPhase.NoScrollPhase, False)
    QApplication.sendEvent(tl, ev)
    assert tl.row_offset == 3 and dock.row_scroll.value() == 3


def test_only_people_in_view_hides_absent_rows(qtbot, crowd):
    dock, tl = crowd.timeline_dock, crowd.timeline_dock.timeline
    tl.view_start, tl.view_len = 25.0, 5.0  # frames 25-29: people with a % 10 >= 1... present there
    dock.only_in_view.setChecked(True)
    rows = tl.rows()
    present = [tid for tid, t in crowd.doc.project.tracks.items() if t.present()[25:30].any()]
    assert rows == present and len(rows) < 32
    dock.only_in_view.setChecked(False)
    assert len(tl.rows()) == 32
