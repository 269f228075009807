"""Jobs → Detect people with malicious weights planted in the project's folder, the user's models folder
and the Settings path: the job fails with a message box naming the file, and no code from it runs."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "core" / "detection"))

from planted_weights import KINDS, write_malicious

NAME = "yolo11n-pose.pt"


@pytest.mark.parametrize("kind", KINDS)
def test_gui_detect_never_runs_planted_weights(qtbot, window, errors, tmp_path, monkeypatch, kind):
    models = tmp_path / "user-models"
    monkeypatch.setenv("STDPOSE_MODELS_DIR", str(models))
    monkeypatch.setenv("STDPOSE_CACHE_DIR", str(tmp_path / "cache"))
    project_dir = window.doc.path.parent
    markers = []

    def plant(path: Path) -> Path:
        markers.append(tmp_path / f"ran-{len(markers)}")
        return write_malicious(path, markers[-1], kind)

    plant(project_dir / NAME)
    plant(project_dir / "models" / NAME)
    user = plant(models / NAME)
    explicit = plant(project_dir / "team-best.pt")
    for setting, named in (("", user), (str(explicit), explicit)):
        window.settings.detector_weights = setting
        errors.clear()
        with qtbot.waitSignal(window.jobs.runner.busy_changed, timeout=120000, check_params_cb=lambda busy: not busy):
            assert window.jobs.detect()
        assert errors and str(named) in errors[-1][1], errors
        assert "\n" not in errors[-1][1]
    assert [m.name for m in markers if m.exists()] == []
    assert window.doc.undo_stack.count() == 0  # nothing was applied
