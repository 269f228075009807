"""The editor propagates with a real STDPose model: a checkpoint and its ONNX pair (pytest-qt)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from stdpose_core.data import Source


@pytest.fixture(autouse=True)
def models_dir(tmp_path, monkeypatch) -> Path:
    monkeypatch.setenv("STDPOSE_MODELS_DIR", str(tmp_path / "models"))
    return tmp_path / "models"


@pytest.fixture(scope="module")
def tiny_weights(tmp_path_factory):
    from stdpose_core.model import create_model, export_onnx, save_checkpoint

    root = tmp_path_factory.mktemp("gui_weights")
    model = create_model("stdpose_tiny", pretrained=False, img_size=(128, 96), heatmap_size=(32, 24))
    pt = save_checkpoint(root / "tiny.pt", model)
    return {"pt": pt, "onnx": export_onnx(pt, root / "tiny.onnx")[0]}


@pytest.mark.parametrize("kind", ["pt", "onnx"])
def test_propagate_with_a_checkpoint_and_its_onnx_pair(qtbot, window, tiny_weights, kind, errors):
    weights = tiny_weights[kind]
    window.settings.stdpose_weights = str(weights)
    jobs = window.jobs
    jobs.set_method("stdpose")
    with qtbot.waitSignal(jobs.runner.finished, timeout=120000):
        assert jobs.propagate()
    assert errors == []
    doc = window.doc
    assert doc.undo_stack.command(0).text() == "propagate (stdpose)"
    assert doc.project.model_versions == [f"stdpose:stdpose_tiny:{Path(weights).stem}"]
    t = doc.project.tracks[0]
    inner = [f for f in range(1, 14) if f != 7]
    on = t.vis[inner] > 0
    assert on.any() and (t.source[inner][on] == Source.PROPAGATED).all() and (t.model_version[inner][on] == 1).all()
    assert (t.source[[0, 7, 14]][t.vis[[0, 7, 14]] > 0] == Source.MANUAL).all()  # keyframes untouched
    assert np.isfinite(t.xy[inner][on]).all()
    doc.undo_stack.undo()
    assert doc.project.model_versions == [] and (doc.project.tracks[0].source[inner][on] == Source.INTERPOLATED).all()


def test_a_checkpoint_for_another_skeleton_is_one_clear_error(qtbot, window, tmp_path, errors):
    from stdpose_core.model import create_model, save_checkpoint

    coco = save_checkpoint(tmp_path / "coco.pt", create_model("stdpose_tiny", pretrained=False, skeleton="coco17",
                                                              img_size=(128, 96), heatmap_size=(32, 24)))
    before = window.doc.project.tracks[0].xy.copy()
    window.settings.stdpose_weights = str(coco)
    window.jobs.set_method("stdpose")
    with qtbot.waitSignal(window.jobs.runner.failed, timeout=120000):
        assert window.jobs.propagate()
    assert errors and "coco.pt" in errors[-1][1] and "coco17 skeleton" in errors[-1][1]
    assert np.array_equal(window.doc.project.tracks[0].xy, before) and window.doc.undo_stack.count() == 0
