"""File → Open dataset…: the table of a generated dataset in the real window — open, sort, filter,
double-click to open a project, edit state and assignee, Take next, live progress, a batch job."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import Qt

from app.dataset.model import COL
from stdpose_core.dataset import load, set_fields


def cell(panel, row: int, attr: str) -> str:
    return panel.proxy.index(row, COL[attr]).data()


def names(panel) -> list[str]:
    return [cell(panel, i, "name") for i in range(panel.proxy.rowCount())]


def test_open_dataset_is_in_the_file_menu_and_shows_every_video(dwindow):
    texts = [a.text() for a in dwindow._menus["File"].actions()]
    assert texts.index("Open &dataset…") == texts.index("&Open…") + 1
    panel = dwindow.dataset_panel
    assert names(panel) == [f"v0{i}_clip" for i in range(5)]
    assert cell(panel, 0, "frames") == "16" and cell(panel, 0, "keyframes") == "4" and cell(panel, 0, "posed") == "4/16"
    from app.dataset.model import FRACTION_ROLE

    assert panel.proxy.index(0, COL["posed"]).data(FRACTION_ROLE) == pytest.approx(4 / 16)
    assert "5 videos: 5 todo" in panel.summary.text()
    assert panel.isVisible()


def test_sort_and_filter(dwindow, qtbot):
    panel = dwindow.dataset_panel
    set_fields(panel.root, "v03_clip", state="review", assignee="ann")
    set_fields(panel.root, "v01_clip", assignee="bob")
    panel.refresh()
    qtbot.waitUntil(lambda: cell(panel, 3, "state") == "review", timeout=10000)
    panel.table.sortByColumn(COL["name"], Qt.SortOrder.DescendingOrder)
    assert names(panel)[0] == "v04_clip"
    panel.table.sortByColumn(COL["state"], Qt.SortOrder.DescendingOrder)
    assert names(panel)[0] == "v03_clip"  # review sorts after todo
    panel.filter_edit.setText("BOB")
    assert names(panel) == ["v01_clip"]
    panel.filter_edit.setText("")
    panel.state_box.setCurrentText("review")
    assert names(panel) == ["v03_clip"]
    panel.state_box.setCurrentText("All states")
    panel.me_edit.setText("ann")
    panel.mine_box.setChecked(True)
    assert names(panel) == ["v03_clip"]
    panel.mine_box.setChecked(False)
    assert len(names(panel)) == 5


def test_double_click_opens_the_project(dwindow, qtbot):
    panel = dwindow.dataset_panel
    index = panel.proxy.index(2, COL["frames"])
    rect = panel.table.visualRect(index)
    # A real double-click reaches the view as a click, then a press turned double-click, then a release
    # (QTest's mouseDClick sends no release: without one, Qt thinks the button stays held).
    from PySide6.QtWidgets import QApplication

    viewport, at = panel.table.viewport(), rect.center()
    qtbot.mouseClick(viewport, Qt.MouseButton.LeftButton, pos=at)
    qtbot.mouseDClick(viewport, Qt.MouseButton.LeftButton, pos=at)
    qtbot.mouseRelease(viewport, Qt.MouseButton.LeftButton, pos=at)
    assert QApplication.mouseButtons() == Qt.MouseButton.NoButton
    qtbot.waitUntil(lambda: dwindow.doc.session is not None, timeout=10000)
    assert dwindow.doc.path == (panel.root / "v02/clip.stdpose")
    assert panel.model.current == "v02_clip" and cell(panel, 2, "holder") == "this window"
    assert panel.proxy.index(2, 0).data(Qt.ItemDataRole.FontRole).bold()


def test_edit_state_and_assignee_in_place(dwindow, qtbot, errors):
    panel = dwindow.dataset_panel
    assert panel.proxy.setData(panel.proxy.index(1, COL["state"]), "review")
    assert panel.proxy.setData(panel.proxy.index(1, COL["assignee"]), "  cleo ")
    e = load(panel.root).entry("v01_clip")
    assert (e.state, e.assignee) == ("review", "cleo")
    assert cell(panel, 1, "state") == "review" and cell(panel, 1, "assignee") == "cleo"
    # Through the real editor: the state delegate's list, committed like a user would.
    index = panel.proxy.index(4, COL["state"])
    panel.table.setCurrentIndex(index)
    panel.table.edit(index)
    from PySide6.QtWidgets import QComboBox

    editor = panel.table.findChild(QComboBox)
    editor.setCurrentText("done")
    panel.table.commitData(editor)
    assert load(panel.root).entry("v04_clip").state == "done" and not errors


def test_take_next_assigns_and_opens(dwindow, qtbot):
    panel = dwindow.dataset_panel
    set_fields(panel.root, "v00_clip", assignee="zoe")
    panel.me_edit.setText("ann")
    panel.next_button.click()
    qtbot.waitUntil(lambda: dwindow.doc.session is not None, timeout=10000)
    e = load(panel.root).entry("v01_clip")
    assert (e.state, e.assignee) == ("in progress", "ann")
    assert dwindow.doc.path == panel.root / "v01/clip.stdpose"
    qtbot.waitUntil(lambda: cell(panel, 1, "assignee") == "ann", timeout=10000)


def test_the_open_projects_progress_updates_live(dwindow, qtbot):
    from stdpose_core.data.edits import SetPoseRange

    panel = dwindow.dataset_panel
    assert panel.open_video("v00_clip")
    qtbot.waitUntil(lambda: panel.model.current == "v00_clip", timeout=5000)
    assert cell(panel, 0, "reviewed") == "0/16"
    reviewed = np.ones(6, bool)
    dwindow.doc.push(SetPoseRange(0, 0, {"reviewed": reviewed}, label="review"))
    qtbot.waitUntil(lambda: cell(panel, 0, "reviewed") == "6/16", timeout=3000)
    assert cell(panel, 0, "last_edited") == "just now"


def test_broken_dataset_file_is_an_error_dialog(qtbot, errors, dataset):
    from app.main_window import MainWindow

    (dataset / "stdpose-dataset.json").write_text("[")
    w = MainWindow()
    qtbot.addWidget(w)
    assert not w.open_dataset(dataset)
    assert errors and "not valid JSON" in errors[-1][1]
    w.close()


@pytest.mark.slow
def test_run_on_all_from_the_view(dwindow, qtbot, monkeypatch):
    """Propagate over the dataset in a worker process; the project open in the editor is left out."""
    from PySide6.QtWidgets import QMessageBox

    warned = []
    monkeypatch.setattr(QMessageBox, "warning", staticmethod(lambda p, t, text, *a, **k: warned.append(text)))
    panel = dwindow.dataset_panel
    assert panel.open_video("v04_clip")
    assert panel.run_batch("propagate", {"method": "flow"})
    assert panel.batch.busy and panel.batch_bar.isVisible()
    qtbot.waitUntil(lambda: panel.last_result is not None, timeout=240000)
    counts = panel.last_result.counts()
    assert counts == {"done": 4, "busy": 1} and "v04_clip: busy" in warned[-1]
    qtbot.waitUntil(lambda: cell(panel, 0, "propagated") == "12", timeout=10000)
    assert cell(panel, 4, "propagated") == "0"


def test_opening_a_dataset_folder_like_any_path_shows_the_view(qtbot, errors, dataset):
    from app.main_window import MainWindow

    w = MainWindow()
    qtbot.addWidget(w)
    assert w.open_path(dataset), errors  # what `stdpose-annotate DATASET_DIR` does
    assert w.dataset_panel is not None and w.doc.session is None
    qtbot.waitUntil(lambda: len(w.dataset_panel.model.rows) == 5, timeout=10000)
    w.close()


@pytest.mark.slow
def test_cancel_a_batch_and_run_the_rest_later(dwindow, qtbot, errors):
    panel = dwindow.dataset_panel
    assert panel.run_batch("propagate", {"method": "flow"})
    panel.batch.cancel()  # at once: the pool is stopped within a heartbeat
    qtbot.waitUntil(lambda: not panel.batch.busy, timeout=60000)
    assert errors and "cancelled" in errors[-1][1]
    assert panel.run_batch("propagate", {"method": "flow"})
    qtbot.waitUntil(lambda: panel.last_result is not None, timeout=240000)
    assert set(panel.last_result.counts()) <= {"done", "skipped"} and len(panel.last_result.outcomes) == 5
