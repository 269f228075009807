"""``--demo``: a generated clip with keyframes every 7th frame; pressing P propagates the rest."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import Qt

from stdpose_core.data import Source


def test_demo_opens_keyframes_only_and_p_propagates(qtbot, tmp_path, errors):
    from app.demo import open_demo
    from app.main_window import MainWindow

    w = MainWindow()
    qtbot.addWidget(w)
    w.show()
    assert open_demo(w, tmp_path / "demo", frames=22, size=(320, 240), persons=2)
    doc = w.doc
    p = doc.project
    assert p.keyframe_interval == 7 and len(p.tracks) == 2
    assert p.keyframes().tolist() == [0, 7, 14, 21]
    assert not any(t.reviewed.any() for t in p.tracks.values())
    assert not any((t.source == Source.PROPAGATED).any() for t in p.tracks.values())
    w.jobs.set_method("flow")
    w.activateWindow()
    qtbot.waitUntil(w.isActiveWindow, timeout=5000)  # window shortcuts need the active window
    qtbot.keyClick(w, Qt.Key.Key_P)
    assert w.jobs.runner.busy, errors
    qtbot.waitUntil(lambda: not w.jobs.runner.busy, timeout=30000)
    assert not errors, errors
    filled = doc.project.tracks[0].source[1:7]
    assert (filled[doc.project.tracks[0].vis[1:7] > 0] == Source.PROPAGATED).all()
    w.review.recompute()
    assert np.isfinite(w.review.mean_conf[1:7]).all()
    assert doc.undo_stack.count() == 1
    w.close()
