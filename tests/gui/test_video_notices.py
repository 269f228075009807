"""The video reader's warnings reach the annotator: a bar over the canvas says the file is truncated
and offers Re-encode…, which runs in the background and reopens the project on the new file."""

from __future__ import annotations

import pytest

from stdpose_core.video.indexed_clip import read_index, write_indexed_clip


@pytest.fixture
def truncated_video(tmp_path):
    full = write_indexed_clip(tmp_path / "full.avi", 60, codec="mpeg4", bframes=0)
    cut = tmp_path / "cut.avi"
    data = full.read_bytes()
    cut.write_bytes(data[: int(len(data) * 0.7)])
    return cut


def test_truncated_video_shows_a_bar_and_re_encode_fixes_it(qtbot, tmp_path, truncated_video, errors):
    from app.dialogs.new_project import NewProjectChoice
    from app.main_window import MainWindow

    w = MainWindow()
    qtbot.addWidget(w)
    w.show()
    w.ask_new = lambda src: NewProjectChoice(tmp_path / "cut.stdpose", "posetrack18", 7)
    assert w.open_path(truncated_video), errors
    n = w.doc.num_frames
    assert 30 <= n < 60
    bar = w.video_bar
    assert bar.isVisible() and "truncated" in bar.label.text() and "cut.avi" in bar.label.text()
    button = bar.button("Re-encode…")
    assert button is not None
    target = tmp_path / "fixed.mp4"
    w.ask_reencode_target = lambda video: target
    with qtbot.waitSignal(w.jobs.runner.finished, timeout=60000):
        button.click()
    assert target.is_file() and w.doc.video_path().resolve() == target.resolve()
    assert not bar.isVisible()  # the new file has nothing to warn about
    assert len(w.loader.source) == n
    w.doc.set_frame(n - 1)
    assert read_index(w.loader.source.frame(n - 1)) == n - 1
    w.close()
    from stdpose_core.session import ProjectSession

    with ProjectSession.open(tmp_path / "cut.stdpose", mode="read") as s:  # saved in the project
        assert s.project.video.path == "fixed.mp4"
    assert not errors


def test_no_bar_for_a_healthy_video(qtbot, window):
    assert not window.video_bar.isVisible()
