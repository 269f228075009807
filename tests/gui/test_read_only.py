"""A project another session is writing opens read-only: a banner says who writes it, every edit
action is disabled, attempts are refused with a message, and the file is never touched."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest
from PySide6.QtCore import Qt

REPO = Path(__file__).resolve().parents[2]
L = Qt.MouseButton.LeftButton


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture
def other_writer(project_file):
    """Another process holding the project open for writing (as `stdpose propagate` would)."""
    script = textwrap.dedent("""
        import sys, time
        from stdpose_core.session import ProjectSession
        s = ProjectSession.open(sys.argv[1], command="stdpose propagate clip.stdpose")
        print("open", flush=True)
        sys.stdin.readline()
        s.close()
        print("closed", flush=True)
    """)
    env = dict(os.environ, PYTHONPATH=str(REPO))
    proc = subprocess.Popen([sys.executable, "-c", script, str(project_file)], stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, text=True, env=env)
    assert proc.stdout.readline().strip() == "open"

    def release():
        if proc.poll() is None:
            proc.stdin.write("\n")
            proc.stdin.flush()
            assert proc.stdout.readline().strip() == "closed"
            proc.wait(10)

    yield proc, release
    release()


@pytest.fixture
def ro_window(qtbot, project_file, other_writer, errors):
    from app.main_window import MainWindow

    w = MainWindow()
    qtbot.addWidget(w)
    w.resize(1200, 800)
    w.show()
    assert w.open_path(project_file), errors
    qtbot.waitUntil(lambda: w.scene.shown_frame == w.doc.frame, timeout=5000)
    yield w
    w.close()


def test_banner_names_the_writer_and_edit_actions_are_disabled(ro_window, other_writer, project_file, errors):
    w, (proc, _release) = ro_window, other_writer
    assert w.doc.read_only
    text = w.read_only_bar.label.text()
    assert w.read_only_bar.isVisible() and f"process {proc.pid}" in text and "stdpose propagate clip.stdpose" in text
    assert "[read-only]" in w.windowTitle()
    edit_ids = [s.id for s in w.action_specs if s.edits]
    assert {"edit.delete_frame", "edit.vis_visible", "label.guided", "jobs.detect", "jobs.propagate"} <= set(edit_ids)
    assert not any(w.actions_by_id[a].isEnabled() for a in edit_ids)
    for reader in ("file.open", "nav.next", "view.fit", "file.export"):
        assert w.actions_by_id[reader].isEnabled(), reader
    assert not w.review_panel.reviewed_button.isEnabled()  # the review queue's button follows its action
    assert not errors


def test_edit_attempts_are_refused_with_a_message_and_the_file_is_untouched(qtbot, ro_window, project_file, at, errors):
    w, doc = ro_window, ro_window.doc
    before, xy = digest(project_file), doc.project.tracks[0].xy.copy()
    doc.select(1, 5)
    for key in (Qt.Key.Key_V, Qt.Key.Key_X, Qt.Key.Key_Delete, Qt.Key.Key_R):
        w.statusBar().clearMessage()
        qtbot.keyClick(w, key)
        assert "Read-only" in w.statusBar().currentMessage(), key
    doc.set_frame(3)
    x0, y0 = doc.project.tracks[0].xy[3, 12]
    vp = w.view.viewport()
    w.statusBar().clearMessage()
    qtbot.mousePress(vp, L, Qt.KeyboardModifier.NoModifier, at(w, x0, y0))
    for i in range(1, 5):
        qtbot.mouseMove(vp, at(w, x0 + 5 * i, y0))
    qtbot.mouseRelease(vp, L, Qt.KeyboardModifier.NoModifier, at(w, x0 + 20, y0))
    assert "Read-only" in w.statusBar().currentMessage()
    assert w.jobs.propagate() is False and w.jobs.detect() is False
    assert np.array_equal(doc.project.tracks[0].xy, xy) and doc.undo_stack.count() == 0
    w.close()  # closing saves no view state into someone else's project
    assert digest(project_file) == before
    assert not errors


def test_try_again_after_the_writer_closed_makes_it_editable(qtbot, ro_window, other_writer, project_file, reopen):
    w, (_proc, release) = ro_window, other_writer
    assert not w.retry_writable()  # still held
    assert w.doc.read_only
    release()
    w.read_only_bar.button("Try again").click()
    assert not w.doc.read_only and not w.read_only_bar.isVisible()
    assert w.actions_by_id["edit.vis_visible"].isEnabled()
    w.doc.select(1, 5)
    qtbot.keyClick(w, Qt.Key.Key_O)
    assert reopen(project_file).tracks[1].vis[0, 5] == 1


def test_two_windows_second_is_read_only_and_first_keeps_every_edit(qtbot, window, project_file, reopen, errors):
    from app.main_window import MainWindow

    b = MainWindow()
    qtbot.addWidget(b)
    b.show()
    assert b.open_path(project_file)
    assert b.doc.read_only and not window.doc.read_only
    window.doc.select(1, 5)
    qtbot.keyClick(window, Qt.Key.Key_O)  # window A edits
    b.doc.select(1, 6)
    b.activateWindow()
    qtbot.waitUntil(b.isActiveWindow, timeout=5000)
    qtbot.keyClick(b, Qt.Key.Key_O)  # window B cannot: nothing acknowledged that could vanish
    assert b.doc.undo_stack.count() == 0 and "Read-only" in b.statusBar().currentMessage()
    b.close()
    window.close()
    saved = reopen(project_file).tracks[1]
    assert saved.vis[0, 5] == 1 and saved.vis[0, 6] == 2
    assert not errors
