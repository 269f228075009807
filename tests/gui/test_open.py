"""Opening (command line, video → new project, drag-and-drop, recent), reopening, bad input."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import numpy as np
import pytest
from PySide6.QtCore import QMimeData, QPointF, Qt, QUrl

# These tests check the editor itself: the annotation loop (auto re-propagation, review queue taking
# over Ctrl+→) is not built, so nothing edits the project behind the test's back.
pytestmark = pytest.mark.editor_only

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
def bare_window(qtbot, errors, loop):
    from app.main_window import MainWindow

    w = MainWindow(loop=loop)
    qtbot.addWidget(w)
    w.show()
    yield w
    w.close()


def test_opening_a_folder_creates_a_project_next_to_it(qtbot, bare_window, clip, errors):
    from app.dialogs.new_project import NewProjectChoice

    asked = []
    bare_window.ask_new = lambda src: asked.append(src) or NewProjectChoice(src.with_name("mine.stdpose"), "coco17", 5)
    assert bare_window.open_path(clip)
    assert asked == [clip]
    doc = bare_window.doc
    assert doc.path == clip.with_name("mine.stdpose") and doc.path.is_file()
    assert doc.project.skeleton.name == "coco17" and doc.project.keyframe_interval == 5
    assert doc.num_frames == 30 and doc.project.video.width == 320
    qtbot.waitUntil(lambda: bare_window.scene.shown_frame == 0, timeout=5000)
    assert not errors


def test_cancelling_the_new_project_dialog_opens_nothing(bare_window, clip):
    bare_window.ask_new = lambda src: None
    assert not bare_window.open_path(clip)
    assert bare_window.doc.session is None


def test_reopen_restores_frame_zoom_and_selection(qtbot, window, project_file):
    from app import settings as app_settings
    from app.main_window import MainWindow

    window.doc.set_frame(12)
    window.doc.select(1, 6)
    window.view.set_zoom(4.0, (100, 120))
    saved_center = window.view.view_center()
    window.close()
    assert str(project_file.resolve()) in [str(Path(p).resolve()) for p in app_settings.load().recent]

    w2 = MainWindow(loop=False)
    qtbot.addWidget(w2)
    w2.resize(1200, 800)
    w2.show()
    assert w2.open_path(project_file)
    assert w2.doc.frame == 12 and (w2.doc.track_id, w2.doc.joint) == (1, 6)
    assert w2.view.scale_factor() == pytest.approx(4.0)
    assert np.allclose(w2.view.view_center(), saved_center, atol=2)
    w2.close()


def test_drop_a_project_file_opens_it(qtbot, bare_window, project_file):
    from PySide6.QtGui import QDropEvent

    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(project_file))])
    ev = QDropEvent(QPointF(10, 10), Qt.DropAction.CopyAction, mime, Qt.MouseButton.NoButton, Qt.KeyboardModifier.NoModifier)
    bare_window.dropEvent(ev)
    assert bare_window.doc.path == project_file


def test_corrupt_project_shows_error_and_app_keeps_working(qtbot, window, tmp_path, errors, project_file):
    bad = tmp_path / "broken.stdpose"
    bad.write_bytes(b"this is not a database" * 100)
    assert not window.open_path(bad)
    assert errors and "broken.stdpose" in errors[-1][1]
    assert window.doc.path == project_file  # the open project stays open and editable
    window.doc.select(0, 5)
    qtbot.keyClick(window, Qt.Key.Key_O)
    assert window.doc.project.tracks[0].vis[0, 5] == 1


def test_unreadable_video_shows_error(qtbot, bare_window, tmp_path, errors, project_file):
    bad = tmp_path / "movie.mp4"
    bad.write_bytes(os.urandom(5000))
    from app.dialogs.new_project import NewProjectChoice

    bare_window.ask_new = lambda src: NewProjectChoice(tmp_path / "movie.stdpose", "posetrack18", 7)
    assert not bare_window.open_path(bad)
    assert errors and "movie.mp4" in errors[-1][1]
    assert not (tmp_path / "movie.stdpose").exists()
    assert bare_window.open_path(project_file)  # still usable
    assert bare_window.doc.num_frames == 30


def test_missing_video_keeps_annotations_editable(qtbot, bare_window, project_file, clip, errors):
    import shutil

    shutil.rmtree(clip)
    offers = []
    bare_window.video_locator.ask_locate = lambda message: offers.append(message) or False
    assert bare_window.open_path(project_file)
    assert offers and "clip" in offers[-1] and "Locate the video" in offers[-1]
    assert set(bare_window.scene.items_by_track) == {0, 1}
    assert bare_window.loader.source is None


def test_locate_video_relinks_a_moved_video_and_refuses_another(qtbot, bare_window, project_file, clip, tmp_path, errors,
                                                               monkeypatch, reopen):
    import shutil

    from PySide6.QtWidgets import QMessageBox


    moved = tmp_path / "moved" / "clip"
    moved.parent.mkdir()
    shutil.move(str(clip), str(moved))
    other = tmp_path / "other"  # a different video: 12 frames
    other.mkdir()
    for f in sorted(moved.iterdir())[:12]:
        shutil.copy(f, other / f.name)
    answers = [other, moved]
    warned = []
    monkeypatch.setattr(QMessageBox, "warning", staticmethod(lambda parent, title, text, *a, **k: warned.append(text)))
    loc = bare_window.video_locator
    loc.ask_path = lambda start, is_folder: answers.pop(0) if answers else None
    loc.ask_locate = lambda message: True
    assert bare_window.open_path(project_file)
    assert warned and "has 12 frames, the project's video 30" in warned[0] and "not changed" in warned[0]
    assert bare_window.loader.source is not None and Path(bare_window.loader.source.path) == moved
    assert reopen(project_file).video.path == "moved/clip"
    qtbot.waitUntil(lambda: bare_window.scene.shown_frame == bare_window.doc.frame, timeout=5000)


def test_killed_mid_edit_reopens_with_every_completed_edit(project_file, reopen, tmp_path):
    """A child runs the real app (offscreen) and moves joints; it prints after each edit returns.
    We SIGKILL it mid-stream; every edit it reported must be in the file."""
    script = textwrap.dedent(f"""
        import sys
        sys.path.insert(0, {str(REPO)!r})
        from app.qt_env import ensure_app
        app = ensure_app()
        from app.main_window import MainWindow
        from stdpose_core.ops.annotate import place_joint
        w = MainWindow(loop=False)
        assert w.open_path({str(project_file)!r})
        doc = w.doc
        i = 0
        while True:
            f = i % 20
            doc.push(place_joint(doc.project, 0, f, 5, (10.0 + i, 20.0)))
            print(i, flush=True)
            i += 1
    """)
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", STDPOSE_SETTINGS_DIR=str(tmp_path))
    proc = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, text=True)
    done = -1
    deadline = time.time() + 60
    while done < 40 and time.time() < deadline:
        line = proc.stdout.readline()
        if not line:
            break
        done = int(line)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    assert done >= 40, proc.stderr.read()
    t = reopen(project_file).tracks[0]
    for i in range(max(done - 19, 0), done + 1):  # the last write to each frame it reported
        assert t.xy[i % 20, 5, 0] >= 10.0 + i, (i, t.xy[i % 20, 5])
    assert np.isclose(t.xy[done % 20, 5, 0], 10.0 + done) or t.xy[done % 20, 5, 0] == 10.0 + done + 20


def test_command_line_screenshot(tmp_path, project_file):
    out = tmp_path / "shot.png"
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", STDPOSE_SETTINGS_DIR=str(tmp_path))
    r = subprocess.run([sys.executable, "-m", "app.main", str(project_file), "--frame", "7", "--screenshot", str(out), "--size", "900x600"],
                       cwd=REPO, env=env, capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    from PySide6.QtGui import QImage

    img = QImage(str(out))
    assert img.width() >= 900 and img.height() >= 600  # at least the size asked (minimum sizes may widen it)
    colours = {img.pixel(x, y) for x in range(0, img.width(), 37) for y in range(0, img.height(), 37)}
    assert len(colours) > 20  # a real picture: frame, poses, docks


def test_shortcuts_dialog_lists_the_table(qtbot, window):
    from app.dialogs.shortcuts_help import shortcut_rows

    rows = shortcut_rows({"nav.next": "D"})
    assert ("Navigate", "Next frame", "D") in rows
    assert any(r[1] == "Next frame needing review" and r[2] == "Ctrl+Right" for r in rows)


def test_settings_dialog_rebinds_a_shortcut(qtbot, window, monkeypatch):
    from PySide6.QtGui import QKeySequence

    from app import settings as app_settings
    from app.dialogs import settings_dialog

    def fake_exec(dlg):
        dlg.key_edits["nav.next"].setKeySequence(QKeySequence("D"))
        dlg.trail.setValue(9)
        return True

    monkeypatch.setattr(settings_dialog.SettingsDialog, "exec", fake_exec)
    window.edit_settings()
    assert app_settings.load().shortcuts == {"nav.next": "D"} and app_settings.load().trail_length == 9
    qtbot.keyClick(window, Qt.Key.Key_D)
    assert window.doc.frame == 1


def test_new_project_dialog_defaults(qtbot, clip, tmp_path):
    from app.dialogs.new_project import NewProjectDialog, default_project_path

    assert default_project_path(tmp_path / "walk.mp4") == tmp_path / "walk.stdpose"
    assert default_project_path(clip) == clip.with_name("clip.stdpose")
    dlg = NewProjectDialog(clip, "coco17", 9)
    qtbot.addWidget(dlg)
    choice = dlg.choice()
    assert (choice.project_path, choice.skeleton, choice.keyframe_interval) == (clip.with_name("clip.stdpose"), "coco17", 9)


def test_command_line_video_creates_project_without_asking(tmp_path, clip):
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", STDPOSE_SETTINGS_DIR=str(tmp_path))
    r = subprocess.run([sys.executable, "-m", "app.main", str(clip), "--skeleton", "coco17", "--screenshot", str(tmp_path / "s.png")],
                       cwd=REPO, env=env, capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    from stdpose_core.session import ProjectSession

    s = ProjectSession.open(clip.with_name("clip.stdpose"))
    assert s.project.skeleton.name == "coco17" and s.project.num_frames == 30
    s.close()


def test_the_editor_alone_is_built_without_the_annotation_loop(window):
    assert window.jobs is None and window.review is None and window.exporter is None
    assert "jobs.propagate" not in window.actions_by_id and "file.export" not in window.actions_by_id
    assert window.actions_by_id["edit.undo"] is not None  # the editor itself is complete
