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


def test_demo_keeps_the_previous_project_and_offers_a_fresh_one(qtbot, tmp_path, errors):
    from app.demo import open_demo
    from app.main_window import MainWindow
    from stdpose_core.ops.annotate import place_joint

    w = MainWindow(loop=False)
    qtbot.addWidget(w)
    w.show()
    folder = tmp_path / "demo"
    assert open_demo(w, folder, frames=15, size=(320, 240), persons=1)
    w.doc.push(place_joint(w.doc.project, 0, 3, 9, (50.0, 60.0)))  # the user's work
    w.doc.close()
    assert open_demo(w, folder, frames=15, size=(320, 240), persons=1)  # the next start
    assert w.doc.project.tracks[0].xy[3, 9].tolist() == [50.0, 60.0], "the demo project was kept"
    assert "as you left it" in w.statusBar().currentMessage()
    w.doc.close()
    assert open_demo(w, folder, fresh=True, frames=15, size=(320, 240), persons=1)
    assert w.doc.project.tracks[0].source[3, 9] == Source.NONE, "a fresh demo starts over"
    kept = list(folder.glob("demo-*.stdpose"))
    assert len(kept) == 1, "and the old one is still there"
    assert not errors
    w.close()
