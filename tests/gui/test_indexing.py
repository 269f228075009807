"""A new video's frame index is built on a worker thread (never the UI thread), with Cancel."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import numpy as np
import pytest

from stdpose_core.progress import Progress


def write_video(path: Path, frames: int = 30) -> Path:
    import av

    with av.open(str(path), "w") as out:
        stream = out.add_stream("libx264", rate=25)
        stream.width, stream.height, stream.pix_fmt = 64, 48, "yuv420p"
        for i in range(frames):
            img = np.full((48, 64, 3), i * 8 % 255, np.uint8)
            for packet in stream.encode(av.VideoFrame.from_ndarray(img, format="rgb24")):
                out.mux(packet)
        for packet in stream.encode():
            out.mux(packet)
    return path


def test_index_is_built_off_the_ui_thread_and_cached(qtbot, tmp_path, monkeypatch):
    from stdpose_core.video import frame_index

    monkeypatch.setenv("STDPOSE_CACHE_DIR", str(tmp_path / "cache"))
    video = write_video(tmp_path / "v.mp4")
    threads = []
    real_build = frame_index._build_job

    def spy(path):
        threads.append(threading.current_thread())
        return (yield from real_build(path))

    monkeypatch.setattr(frame_index, "_build_job", spy)
    from app.indexing import ensure_indexed

    assert ensure_indexed(None, video) is True
    assert threads and threads[0] is not threading.main_thread()
    assert frame_index.load_cached(video) is not None  # the editor's open_source now finds it
    assert ensure_indexed(None, tmp_path) is True  # folders need no index


def test_cancel_stops_the_job_and_reports_it(qtbot):
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication, QProgressDialog

    from app.indexing import run_job_modal

    steps = []

    def slow_job():
        for i in range(200):
            steps.append(i)
            time.sleep(0.02)
            yield Progress(i, 200)
        return "finished"

    def press_cancel():
        for w in QApplication.topLevelWidgets():
            if isinstance(w, QProgressDialog) and w.isVisible():
                w.cancel()  # what the Cancel button does
                return
        QTimer.singleShot(50, press_cancel)

    QTimer.singleShot(600, press_cancel)
    assert run_job_modal(None, slow_job(), "t", "l") is None
    assert len(steps) < 200


def test_job_errors_reach_the_caller(qtbot, tmp_path):
    from app.indexing import ensure_indexed
    from stdpose_core.errors import InputError

    bad = tmp_path / "not_a_video.mp4"
    bad.write_text("hello")
    with pytest.raises(InputError):
        ensure_indexed(None, bad)
