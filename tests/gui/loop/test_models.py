"""Retrain dialog (a real stdpose-retrain child process) and the model manager."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

HAS_TRAINING = importlib.util.find_spec("stdpose_core.training.loop") is not None


@pytest.fixture
def models_dir(tmp_path, monkeypatch) -> Path:
    d = tmp_path / "models"
    monkeypatch.setenv("STDPOSE_MODELS_DIR", str(d))
    return d


@pytest.fixture
def synth_project(tmp_path) -> Path:
    """A generated clip with exact ground truth on every frame (what training needs)."""
    from stdpose_core.io import import_edit, read_annotations
    from stdpose_core.progress import run_to_completion
    from stdpose_core.project_ops import create_project
    from stdpose_core.synth import make_scene, write_scene_job

    out = tmp_path / "synth"
    run_to_completion(write_scene_job(make_scene(2, 24, (256, 192), 3), out))
    s = create_project(out / "train.stdpose", out / "frames")
    s.apply(import_edit(s.project, read_annotations(out / "gt.json")))
    s.close()
    return out / "train.stdpose"


@pytest.mark.slow
def test_failing_training_process_shows_its_last_lines(qtbot, window, models_dir):
    from app.dialogs.retrain import RetrainDialog

    dlg = RetrainDialog(window)
    qtbot.addWidget(dlg)
    dlg.config.addItem("broken", "/nonexistent/model.yaml")
    dlg.config.setCurrentIndex(dlg.config.count() - 1)
    dlg.start()
    qtbot.waitUntil(lambda: dlg.finished_state is not None, timeout=60000)
    assert dlg.finished_state == "failed"
    assert "exit code 2" in dlg.status.text() and "model.yaml" in dlg.status.text()
    assert "model.yaml" in dlg.log.toPlainText()
    assert not dlg.use_button.isEnabled() and dlg.start_button.isEnabled()
    assert window.doc.session is not None and window.jobs.propagate()  # the editor carries on
    qtbot.waitUntil(lambda: not window.jobs.runner.busy, timeout=30000)


@pytest.mark.slow
@pytest.mark.skipif(not HAS_TRAINING, reason="stdpose-retrain (stdpose_core.training) is not available yet")
def test_retrain_dialog_trains_plots_and_activates_the_model(qtbot, window, models_dir, synth_project, monkeypatch):
    from PySide6.QtWidgets import QMessageBox

    from app.dialogs.models import describe_active
    from app.dialogs.retrain import RetrainDialog
    from stdpose_core.trained.model_registry import get_active, list_models

    dlg = RetrainDialog(window)
    qtbot.addWidget(dlg)
    dlg.data.clear()
    dlg.data.addItem(str(synth_project))
    dlg.epochs.setValue(1)
    dlg.steps.setValue(2)
    dlg.batch.setValue(2)
    dlg.device.setCurrentText("cpu")
    dlg.extra_args = ["--val-max", "4", "--log-every", "1"]
    dlg.start()
    qtbot.waitUntil(lambda: dlg.finished_state is not None, timeout=300000)
    assert dlg.finished_state == "done", dlg.log.toPlainText()
    assert len(dlg.plot.loss) == 2 and dlg.plot.metric_pts
    assert [m["id"] for m in list_models()] == [dlg.registry_id]
    assert not dlg.plot.grab().isNull()
    # Two steps from scratch lose to flow: the dialog says so, and "Use this model" asks first.
    assert "vs flow" in dlg.status.text() and "'auto' keeps using flow" in dlg.status.text()
    asked = []
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: asked.append(a[2]) or QMessageBox.StandardButton.Yes)
    dlg.use_model()
    assert asked and "loses to optical flow by" in asked[0]
    assert get_active()["id"] == dlg.registry_id and get_active()["forced"]
    assert not describe_active()[0]  # the gate keeps 'auto' on flow ...
    jobs = window.jobs
    jobs.set_method("auto")
    with qtbot.waitSignal(jobs.runner.finished, timeout=120000):
        assert jobs.propagate()
    assert window.doc.undo_stack.command(0).text() == "propagate (flow)"
    # ... and the loop still closes: method 'stdpose' in the editor runs the new model.
    jobs.set_method("stdpose")
    with qtbot.waitSignal(jobs.runner.finished, timeout=120000):
        assert jobs.propagate()
    assert window.doc.undo_stack.command(1).text() == "propagate (stdpose)"
    t = window.doc.project.tracks[0]
    codes = t.model_version[3][t.vis[3] > 0]
    assert (codes > 0).any() and window.doc.project.model_versions  # propagated joints name the model


def test_discard_removes_the_model(qtbot, window, models_dir, tmp_path):
    from app.dialogs.retrain import RetrainDialog
    from stdpose_core.trained.model_registry import add_model, list_models

    run = tmp_path / "run"
    run.mkdir()
    (run / "best.pt").write_bytes(b"x")
    entry = add_model({"name": "stdpose_tiny", "path": str(run / "best.pt"), "metrics": {"pckh05": 50.0}})
    dlg = RetrainDialog(window)
    qtbot.addWidget(dlg)
    dlg.registry_id, dlg.run_dir, dlg.finished_state = entry["id"], run, "done"
    dlg._buttons()
    assert dlg.discard_button.isEnabled()
    dlg.discard()
    assert list_models() == [] and not run.exists()


def _gate(model: float, flow: float) -> dict:
    return {"every": 7, "targets": 80, "norm": "box", "model": {"pckh02": model}, "flow": {"pckh02": flow}}


def test_model_manager_lists_activates_and_says_when_flow_is_used(qtbot, window, models_dir, tmp_path, monkeypatch):
    from PySide6.QtWidgets import QMessageBox

    from app.dialogs.models import ModelsDialog
    from stdpose_core.trained.model_registry import add_model, get_active

    dlg = ModelsDialog(window)
    qtbot.addWidget(dlg)
    assert dlg.table.rowCount() == 0 and "optical flow" in dlg.banner.text()
    w = tmp_path / "m.pt"
    w.write_bytes(b"weights")
    e = add_model({"name": "stdpose_tiny", "path": str(w), "metrics": {"pckh05": 71.5, "map": 60.0}, "data": ["a/b.stdpose"],
                   "gate": _gate(71.5, 60.0)})
    dlg.refresh()
    cells = [dlg.table.item(0, c).text() for c in range(7)]
    assert dlg.table.rowCount() == 1 and cells[3:7] == ["71.5", "60.0", "+11.5", "7"]  # model vs flow side by side
    assert dlg.table.item(0, 7).text() == "b.stdpose"
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: pytest.fail("a winner needs no confirmation"))
    dlg.table.selectRow(0)
    assert dlg.use_selected()
    assert get_active()["id"] == e["id"] and dlg.table.item(0, 0).text() == "●"
    assert "uses the active STDPose model" in dlg.banner.text() and "+11.5" in dlg.banner.text()
    dlg.flow_button.click()
    assert get_active() is None and "optical flow" in dlg.banner.text()


def test_activating_a_model_that_loses_asks_and_says_by_how_much(qtbot, window, models_dir, tmp_path, monkeypatch):
    from PySide6.QtWidgets import QMessageBox

    from app.dialogs.models import ModelsDialog
    from stdpose_core.trained.model_registry import add_model, get_active

    w = tmp_path / "m.pt"
    w.write_bytes(b"weights")
    add_model({"name": "stdpose_tiny", "path": str(w), "gate": _gate(41.2, 52.3)})
    dlg = ModelsDialog(window)
    qtbot.addWidget(dlg)
    assert dlg.table.item(0, 5).text() == "-11.1"
    asked = []
    answer = QMessageBox.StandardButton.No
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: asked.append(a[2]) or answer)
    dlg.table.selectRow(0)
    assert not dlg.use_selected() and get_active() is None  # "No": nothing changes
    assert "loses to optical flow by 11.1 PCK@0.2 (box) points" in asked[0]
    answer = QMessageBox.StandardButton.Yes
    assert dlg.use_selected() and get_active()["forced"]
    assert "uses optical flow" in dlg.banner.text() and "loses to flow" in dlg.banner.text()


def test_importing_a_bad_weight_file_reports_an_error(qtbot, window, models_dir, tmp_path, errors):
    from app.dialogs.models import ModelsDialog

    bad = tmp_path / "notes.pt"
    bad.write_bytes(b"not a checkpoint")
    dlg = ModelsDialog(window)
    qtbot.addWidget(dlg)
    with qtbot.waitSignal(window.jobs.runner.failed, timeout=60000):
        assert dlg.import_file(bad)
    assert "notes.pt" in errors[-1][1]
    assert dlg.table.rowCount() == 0


def test_retrain_command_names_the_config_and_adds_pseudo_labels(qtbot, window, models_dir, monkeypatch):
    import sys

    from app.dialogs.retrain import RetrainDialog

    dlg = RetrainDialog(window)
    qtbot.addWidget(dlg)
    assert dlg.config.currentData() == "stdpose_tiny"  # by name: found as package data in any install
    project = str(window.doc.path)
    cmd = dlg.command()
    assert cmd[:3] == [sys.executable, "-m", "stdpose_core.training.cli"] and "--pseudo" not in cmd
    assert cmd[cmd.index("--config") + 1] == "stdpose_tiny" and cmd[cmd.index("--data") + 1] == project
    dlg.pseudo.setChecked(True)
    cmd = dlg.command()
    assert cmd[cmd.index("--pseudo") + 1] == project
    monkeypatch.setattr(sys, "frozen", True, raising=False)
    monkeypatch.setattr(sys, "executable", "/opt/stdpose-annotator/stdpose-annotate")
    assert dlg.command()[:2] == ["/opt/stdpose-annotator/stdpose-retrain", "--config"]  # the desktop build's own trainer
