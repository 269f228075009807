"""Detector pre-labels are remembered after propagation overwrites them; jobs never cross projects."""

from __future__ import annotations

import time

import numpy as np

from app.review.prelabels import PrelabelMemory
from stdpose_core.data import Source
from stdpose_core.data.edits import SetPoseRange


def test_memory_keeps_detections_overwritten_later(window):
    p = window.doc.project
    t = p.tracks[0]
    mem = PrelabelMemory()
    t.source[3, 5], t.xy[3, 5] = Source.DETECTED, (11.0, 22.0)
    mem.update(p, 0, 0, p.num_frames)
    t.source[3, 5], t.xy[3, 5] = Source.PROPAGATED, (50.0, 60.0)  # propagation replaced it
    mem.update(p, 0, 0, p.num_frames)
    xy, vis = mem.as_dict()[0]
    assert xy[3, 5].tolist() == [11.0, 22.0] and vis[3, 5] == 2
    assert (vis > 0).sum() == 1


def test_window_memory_follows_detection_edits(window):
    doc = window.doc
    t = doc.project.tracks[1]
    vals = {"source": np.full((1, t.num_joints), Source.DETECTED, np.uint8), "xy": t.xy[4:5] + 3}
    mask = np.zeros((1, t.num_joints), bool)
    mask[0, 7] = True
    doc.push(SetPoseRange(1, 4, vals, joint_mask=mask, label="detected"))
    xy, vis = window.review.prelabels.as_dict()[1]
    assert vis[4, 7] == 2 and np.allclose(xy[4, 7], t.xy[4, 7])


def test_job_result_is_dropped_when_another_project_is_opened(qtbot, window, project_file, tmp_path):
    import shutil

    runner, doc = window.jobs.runner, window.doc
    other = tmp_path / "other.stdpose"
    shutil.copy(project_file, other)

    def slow(project):
        from stdpose_core.data.edits import Compound
        from stdpose_core.progress import Progress

        for i in range(50):
            time.sleep(0.02)
            yield Progress(i, 50)
        return Compound([SetPoseRange(0, 2, {"score": np.zeros((1, 17), np.float32)})])

    got = []
    runner.cancelled.connect(got.append)
    assert runner.start("slow", slow)
    assert window.open_path(other)
    qtbot.waitUntil(lambda: not runner.busy, timeout=10000)
    assert got == ["slow"] and doc.undo_stack.count() == 0
    assert doc.project.tracks[0].score[2].max() > 0
