"""Model → Adapt to this video: the core adapt job on the window's worker thread, with progress,
Cancel, and a message; too few keyframes is one clear message and nothing changes."""

from __future__ import annotations

from pathlib import Path

import pytest

from stdpose_core.trained import project_model


@pytest.fixture(autouse=True)
def active_base(tmp_path, monkeypatch):
    """An untrained stdpose_tiny (128x96 input) as the registry's active model."""
    from stdpose_core.model import create_model, save_checkpoint
    from stdpose_core.trained.model_registry import add_model

    monkeypatch.setenv("STDPOSE_MODELS_DIR", str(tmp_path / "models"))
    pt = save_checkpoint(tmp_path / "base.pt", create_model("stdpose_tiny", pretrained=False, img_size=(128, 96),
                                                            heatmap_size=(32, 24)))
    add_model({"name": "stdpose_tiny", "path": str(pt)}, activate=True)
    return pt


def settings(steps: int):
    from stdpose_core.training.adapt import AdaptSettings

    return AdaptSettings(steps=steps, batch_size=4, device="cpu")


@pytest.mark.slow
def test_adapt_runs_in_the_background_and_reports(qtbot, window, errors):
    from app.dialogs.adapt import start_adapt

    seen = []
    window.jobs.runner.progress.connect(lambda d, t, m: seen.append(m))
    with qtbot.waitSignal(window.jobs.runner.finished, timeout=300000):
        assert start_adapt(window, settings(12))
    assert any("fine-tuning" in m for m in seen)
    title, text = errors[-1]
    assert title == "Adapt to this video" and "leave-one-keyframe-out PCK@0.2 on 2 keyframes" in text
    rec = project_model.active_record(window.doc.path)
    if "now this project's model" in text:
        assert rec is not None and Path(rec["path"]).is_file()
    else:
        assert "nothing changed" in text and rec is None
    assert window.doc.undo_stack.count() == 0  # adaptation never edits the annotations


def test_cancel_writes_nothing(qtbot, window, errors):
    from app.dialogs.adapt import start_adapt

    runner = window.jobs.runner
    runner.progress.connect(lambda d, t, m: runner.cancel() if "fine-tuning" in m else None)
    with qtbot.waitSignal(runner.cancelled, timeout=300000):
        assert start_adapt(window, settings(400))
    assert not runner.busy
    folder = project_model.models_dir(window.doc.path)
    assert not folder.exists() or not list(folder.glob("*.pt"))


def test_too_few_keyframes_is_one_clear_message(qtbot, tmp_path, clip, errors):
    from app.dialogs.adapt import start_adapt
    from app.main_window import MainWindow
    from stdpose_core.project_ops import create_project

    from ..conftest import fill_demo_tracks

    path = tmp_path / "two_keys.stdpose"
    s = create_project(path, clip)
    fill_demo_tracks(s, keyframes=(0, 14))
    s.close()
    w = MainWindow()
    qtbot.addWidget(w)
    assert w.open_path(path), errors
    with qtbot.waitSignal(w.jobs.runner.failed, timeout=60000):
        assert start_adapt(w, settings(10))
    assert "at least 3 keyframes" in errors[-1][1] and "has 2" in errors[-1][1]
    assert not project_model.models_dir(path).exists()
    w.close()
