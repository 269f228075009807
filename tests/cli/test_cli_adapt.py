"""``stdpose adapt`` end to end on a generated clip: the adapted tiny model beats its base on the
project's own keyframes (leave-one-keyframe-out), becomes the project's model, and propagation uses it;
too few keyframes or a wrong checkpoint are one line and change nothing."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest

from stdpose_core.cli.main import main
from stdpose_core.trained import project_model


@pytest.fixture(autouse=True)
def models_dir(tmp_path, monkeypatch) -> Path:
    monkeypatch.setenv("STDPOSE_MODELS_DIR", str(tmp_path / "models"))
    return tmp_path / "models"


def make_project(tmp_path: Path, every: int, frames: int = 26) -> Path:
    out = tmp_path / "clip"
    assert main(["synth", str(out), "--persons", "1", "--frames", str(frames), "--size", "192x160", "--seed", "4"]) == 0
    project = tmp_path / "clip.stdpose"
    assert main(["new", str(project), str(out / "frames")]) == 0
    assert main(["import", str(project), str(out / "gt.json")]) == 0
    assert main(["keyframes", str(project), "--every", str(every), "--keep-last"]) == 0
    return project


@pytest.fixture(scope="module")
def tiny_base(tmp_path_factory) -> Path:
    """An untrained stdpose_tiny at 128x96 input: adaptation has everything to gain."""
    from stdpose_core.model import create_model, save_checkpoint

    return save_checkpoint(tmp_path_factory.mktemp("base") / "base.pt",
                           create_model("stdpose_tiny", pretrained=False, img_size=(128, 96), heatmap_size=(32, 24)))


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.mark.slow
def test_adaptation_improves_a_tiny_model_and_becomes_the_projects_model(tmp_path, tiny_base, capsys):
    project = make_project(tmp_path, every=5)
    capsys.readouterr()
    before = digest(project)
    rc = main(["adapt", str(project), "--base", str(tiny_base), "--steps", "60", "--batch-size", "4", "--device", "cpu",
               "--json"])
    out = capsys.readouterr()
    assert rc == 0, out.err
    res = json.loads(out.out)
    assert res["accepted"] and res["targets"] == 4 and res["keyframes"] == 6 and res["every"] == 5
    s = res["scores"]
    assert s["adapted"]["pckh02"] > s["base"]["pckh02"] + 10, s  # the untrained base learns this video
    assert digest(project) == before  # the project file itself is untouched
    rec = project_model.active_record(project)
    assert rec is not None and Path(rec["path"]).is_file() and rec["path"] == res["path"]
    assert rec["base"]["path"] == str(tiny_base) and rec["gate"]["model"]["pckh02"] == pytest.approx(s["adapted"]["pckh02"])
    # Propagation on this project now uses its adapted model (method stdpose: no gate).
    assert main(["propagate", str(project), "--method", "stdpose", "--device", "cpu", "--json"]) == 0
    capsys.readouterr()
    from stdpose_core.session import ProjectSession

    with ProjectSession.open(project) as session:
        assert session.project.model_versions == [f"stdpose:stdpose_tiny:{Path(rec['path']).stem}"]
    assert main(["adapt", str(project), "--reset"]) == 0
    assert project_model.active_record(project) is None


def test_too_few_keyframes_is_one_line_and_nothing_changes(tmp_path, tiny_base, capsys):
    project = make_project(tmp_path, every=20, frames=21)  # keyframes 0 and 20 only
    capsys.readouterr()
    before = digest(project)
    rc = main(["adapt", str(project), "--base", str(tiny_base), "--device", "cpu"])
    err = [ln for ln in capsys.readouterr().err.splitlines() if ln.strip()]
    assert rc == 2 and len(err) == 1 and "at least 3 keyframes" in err[0] and "has 2" in err[0]
    assert digest(project) == before and not project_model.models_dir(project).exists()


def test_no_active_model_and_wrong_checkpoints_are_one_line(tmp_path, capsys):
    import torch

    from stdpose_core.model import create_model, save_checkpoint

    project = make_project(tmp_path, every=5)
    capsys.readouterr()
    coco = save_checkpoint(tmp_path / "coco.pt", create_model("stdpose_tiny", pretrained=False, skeleton="coco17",
                                                              img_size=(128, 96), heatmap_size=(32, 24)))
    junk = tmp_path / "junk.pt"
    torch.save({"x": torch.zeros(1)}, junk)
    onnx = tmp_path / "m.onnx"
    onnx.write_bytes(b"onnx")
    cases = ((None, "no STDPose model to adapt"), (coco, "coco17 skeleton"), (junk, "not an STDPose checkpoint"),
             (onnx, "fine-tunes a torch checkpoint"))
    for base, message in cases:
        rc = main(["adapt", str(project), "--device", "cpu"] + (["--base", str(base)] if base else []))
        err = [ln for ln in capsys.readouterr().err.splitlines() if ln.strip()]
        assert rc == 2 and len(err) == 1 and message in err[0], (base, err)
    assert not project_model.models_dir(project).exists()


def test_a_flow_prior_model_with_one_keyframe_to_score_is_one_line_and_nothing_changes(tmp_path, capsys):
    """Keyframes 0, 10, 20: the one keyframe between two others is all a flow-prior model can train on,
    so no fold can be scored by a model that did not learn it (this crashed with ZeroDivisionError)."""
    from stdpose_core.model import create_model, save_checkpoint

    base = save_checkpoint(tmp_path / "fp.pt", create_model("stdpose_tiny", pretrained=False, flow_prior=True, depth=1,
                                                            img_size=(128, 96), heatmap_size=(32, 24)))
    project = make_project(tmp_path, every=10, frames=21)
    capsys.readouterr()
    before = digest(project)
    rc = main(["adapt", str(project), "--base", str(base), "--steps", "2", "--batch-size", "2", "--device", "cpu"])
    err = [ln for ln in capsys.readouterr().err.splitlines() if ln.strip()]
    assert rc == 2 and len(err) == 1, err
    assert "at least 2 keyframes between two others" in err[0] and "this project has 1" in err[0], err
    assert digest(project) == before and not project_model.models_dir(project).exists()


def test_without_a_registry_model_adaptation_starts_from_the_shipped_model(builtin_model, models_dir):
    """Only the built-in model (no registry entry): that is what a new user adapts (GUI and CLI pass no
    base); the active registry model still comes first."""
    from stdpose_core.model import create_model, save_checkpoint
    from stdpose_core.trained.builtin import builtin_checkpoint
    from stdpose_core.trained.model_registry import add_model
    from stdpose_core.training.adapt import resolve_base

    shipped = builtin_checkpoint()
    assert shipped is not None and shipped.suffix == ".pt"
    assert resolve_base(None) == str(shipped)
    mine = save_checkpoint(models_dir / "mine.pt", create_model("stdpose_tiny", pretrained=False))
    add_model({"name": "stdpose_tiny", "path": str(mine)}, activate=True)
    assert resolve_base(None) == str(mine)
