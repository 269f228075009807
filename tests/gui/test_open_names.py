"""The editor opens videos and projects whose names hold #, ?, %, spaces, non-ASCII or non-UTF-8 bytes:
a new project is created beside the video, reopens with the edits, and nothing stray appears."""

from __future__ import annotations

import os
import shutil
import sys

import pytest
from PySide6.QtCore import Qt

NAMES = ["match#2", "what?", "100% sure", "Zürich 日本"]
if sys.platform.startswith("linux"):
    NAMES.append(os.fsdecode(b"bad\xffname"))


pytestmark = pytest.mark.editor_only


@pytest.fixture(scope="module")
def source_video(tmp_path_factory):
    from stdpose_core.cli.main import main

    root = tmp_path_factory.mktemp("gui-names")
    assert main(["synth", str(root / "c"), "--frames", "6", "--persons", "1", "--size", "96x64", "--format", "mp4"]) == 0
    return root / "c" / "clip.mp4"


@pytest.mark.parametrize("name", NAMES, ids=lambda n: n.encode("utf-8", "backslashreplace").decode("ascii", "backslashreplace"))
def test_open_video_with_awkward_name_then_reopen(qtbot, tmp_path, source_video, errors, name):
    from app.dialogs.new_project import NewProjectChoice, default_project_path
    from app.main_window import MainWindow

    video = tmp_path / f"{name}.mp4"
    shutil.copyfile(source_video, video)
    w = MainWindow(loop=False)
    qtbot.addWidget(w)
    w.show()
    w.ask_new = lambda src: NewProjectChoice(default_project_path(src), "posetrack18", 7)
    assert w.open_path(video), errors
    assert w.doc.path == tmp_path / f"{name}.stdpose" and not w.doc.read_only
    qtbot.waitUntil(lambda: w.scene.shown_frame == 0, timeout=10000)
    from stdpose_core.data.edits import AddTrack

    t = w.doc.project.new_track()
    w.doc.push(AddTrack(t))
    w.close()

    w2 = MainWindow(loop=False)
    qtbot.addWidget(w2)
    w2.show()
    assert w2.open_path(video), errors  # the video again: its project is found and reopened
    assert w2.doc.path == tmp_path / f"{name}.stdpose" and len(w2.doc.project.tracks) == 1
    qtbot.keyClick(w2, Qt.Key.Key_Right)
    w2.close()
    assert sorted(p.name for p in tmp_path.iterdir() if not p.name.startswith("settings")) == \
        sorted([video.name, f"{name}.stdpose"])
    assert not errors
