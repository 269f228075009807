"""The GUI's jobs read the frames through the frame loader's source: one index and one cache sized by
the user's setting, whose protected window keeps the annotator's frames. A method that reads gray
only (flow) reads a gray twin of it (ADR 0022): the same index, a decoder and a quarter of the
budget of its own, so the job's frames never touch the annotator's cache."""

from __future__ import annotations

import pytest


@pytest.fixture
def small_cache_window(qtbot, project_file, errors):
    from app import settings as app_settings
    from app.main_window import MainWindow

    settings = app_settings.Settings(cache_mb=2)  # about 9 frames of the 320x240 clip
    w = MainWindow(settings)
    qtbot.addWidget(w)
    w.resize(1200, 800)
    w.show()
    assert w.open_path(project_file), errors
    yield w
    w.close()


def test_a_job_reads_through_the_loaders_source_and_the_annotators_frames_stay_cached(qtbot, small_cache_window, monkeypatch):
    import stdpose_core.video

    w = small_cache_window
    src = w.loader.source
    assert src.cache.max_bytes == 2 * 1024 * 1024  # the user's setting, not the 1 GiB default
    w.doc.set_frame(25)
    qtbot.waitUntil(lambda: w.scene.shown_frame == 25, timeout=5000)
    qtbot.waitUntil(lambda: src.cache._protected[0] <= 25 <= src.cache._protected[1], timeout=5000)
    assert src.wait_prefetch(20)
    lo, hi = src.cache._protected
    assert hi - lo >= 4 and all(i in src.cache for i in range(lo, hi + 1))

    def no_second_source(*a, **k):
        raise AssertionError("a job opened a second frame source")

    monkeypatch.setattr(stdpose_core.video, "open_source", no_second_source)
    import stdpose_core.ops.jobs as jobs

    twins = []
    real_twin = jobs.gray_twin

    def spy(source):
        twins.append(real_twin(source))
        return twins[-1]

    monkeypatch.setattr(jobs, "gray_twin", spy)
    misses = src.cache.misses
    w.jobs.set_method("interp")  # reads no frames
    with qtbot.waitSignal(w.jobs.runner.finished, timeout=30000):
        assert w.jobs.propagate()
    w.jobs.set_method("flow")
    with qtbot.waitSignal(w.jobs.runner.finished, timeout=30000):
        assert w.jobs.propagate()
    assert len(twins) == 1 and twins[0].pixels == "gray" and twins[0].path == src.path
    assert twins[0].cache.max_bytes == src.cache.max_bytes // 4 and twins[0]._closed  # closed when the job ended
    assert twins[0].cache.hits + twins[0].cache.misses >= 15  # the job's frames 0..17 came through the twin
    assert src.cache.misses == misses  # the loader's source decoded nothing for the jobs
    assert all(i in src.cache for i in range(lo, hi + 1)), (lo, hi, sorted(src.cache._frames))
    assert w.loader.source is src and w.doc.undo_stack.count() == 2


def test_without_readable_frames_a_job_says_so_and_changes_nothing(qtbot, window, errors):
    window.loader.set_source(None)  # the video could not be read: annotations over an empty frame
    window.jobs.set_method("flow")
    with qtbot.waitSignal(window.jobs.runner.failed, timeout=10000):
        assert window.jobs.propagate()
    qtbot.waitUntil(lambda: bool(errors), timeout=2000)
    assert "not open" in errors[-1][1] and window.doc.undo_stack.count() == 0


def test_opening_another_project_while_a_job_reads_cancels_it_cleanly(qtbot, window, project_file, errors):
    import shutil
    import time

    from stdpose_core.progress import relay

    other = shutil.copy(project_file, project_file.with_name("other.stdpose"))
    runner = window.jobs.runner
    inner = window.jobs.propagation_work("flow")

    def slowly(p):
        time.sleep(0.05)
        return p

    cancelled, failed = [], []
    runner.cancelled.connect(cancelled.append)
    runner.failed.connect(lambda name, msg: failed.append(msg))
    assert runner.start("slow propagation", lambda project: relay(inner(project), slowly))
    qtbot.wait(150)
    old_source = window.loader.source
    assert window.open_path(other)  # closes the source the job reads from
    qtbot.waitUntil(lambda: not runner.busy, timeout=10000)
    assert cancelled == ["slow propagation"] and failed == [] and not errors
    assert window.loader.source is not old_source and window.doc.undo_stack.count() == 0
