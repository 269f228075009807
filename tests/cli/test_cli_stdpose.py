"""``stdpose propagate --method stdpose|auto`` end to end with a real (tiny, untrained) STDPose model:
a checkpoint and its ONNX pair, 'auto' with an active registry model behind the quality gate, and
one-line errors that leave the project file untouched for checkpoints that do not fit."""

from __future__ import annotations

import hashlib
import json
import sys
from pathlib import Path

import cv2
import numpy as np
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "core" / "propagation"))
from prop_clips import project_from_joints, rigid_clip

from stdpose_core.cli.main import main
from stdpose_core.data.source import Source
from stdpose_core.session import ProjectSession

USED = [k for k in range(17) if k not in (3, 4)]
INNER = [f for f in range(11) if f not in (0, 5, 10)]


@pytest.fixture(autouse=True)
def models_dir(tmp_path, monkeypatch) -> Path:
    monkeypatch.setenv("STDPOSE_MODELS_DIR", str(tmp_path / "models"))
    return tmp_path / "models"


@pytest.fixture
def clip_project(tmp_path):
    """A project over an image folder (11 frames, 2 people) with keyframes 0, 5, 10."""
    from stdpose_core.data.edits import AddTrack
    from stdpose_core.project_ops import create_project

    frames, J = rigid_clip(11, motion=(2.0, 1.0), people=2, wobble=3.0)
    (tmp_path / "frames").mkdir()
    for i, f in enumerate(frames):
        cv2.imwrite(str(tmp_path / "frames" / f"{i:06d}.png"), cv2.cvtColor(f, cv2.COLOR_RGB2BGR))
    path = tmp_path / "clip.stdpose"
    s = create_project(path, tmp_path / "frames")
    for t in project_from_joints(J, (160, 120), [0, 5, 10]).tracks.values():
        s.apply(AddTrack(t))
    s.close()
    return path


@pytest.fixture(scope="module")
def tiny_weights(tmp_path_factory):
    """``(checkpoint, onnx)`` of a random stdpose_tiny at 128x96 input (fast on CPU)."""
    from stdpose_core.model import create_model, export_onnx, save_checkpoint

    root = tmp_path_factory.mktemp("weights")
    model = create_model("stdpose_tiny", pretrained=False, img_size=(128, 96), heatmap_size=(32, 24))
    pt = save_checkpoint(root / "tiny.pt", model)
    onnx = export_onnx(pt, root / "tiny.onnx")[0]
    return pt, onnx


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def propagated(path: Path):
    with ProjectSession.open(path) as s:
        return s.project.tracks[0].copy(), list(s.project.model_versions)


@pytest.mark.parametrize("kind", ["pt", "onnx"])
def test_method_stdpose_with_a_checkpoint_and_its_onnx_pair(clip_project, tiny_weights, kind, capsys):
    weights = tiny_weights[0] if kind == "pt" else tiny_weights[1]
    rc = main(["propagate", str(clip_project), "--method", "stdpose", "--weights", str(weights), "--device", "cpu", "--json"])
    out = capsys.readouterr()
    assert rc == 0, out.err
    summary = json.loads(out.out)
    assert summary["method"] == "stdpose" and summary["tracks"] == [0, 1]
    assert summary["joints_written"] == 2 * len(INNER) * 17 - 2 * len(INNER) * 2  # ears are never labelled
    t, versions = propagated(clip_project)
    assert versions == [f"stdpose:stdpose_tiny:{Path(weights).stem}"]
    assert (t.source[INNER][:, USED] == Source.PROPAGATED).all()
    assert (t.model_version[INNER][:, USED] == 1).all()
    assert np.isfinite(t.xy[INNER]).all() and ((t.score[INNER] >= 0) & (t.score[INNER] <= 1)).all()


def test_checkpoint_and_onnx_pair_write_the_same_joints(clip_project, tiny_weights, tmp_path, capsys):
    copy = tmp_path / "copy.stdpose"
    copy.write_bytes(clip_project.read_bytes())
    for path, w in ((clip_project, tiny_weights[0]), (copy, tiny_weights[1])):
        assert main(["propagate", str(path), "--method", "stdpose", "--weights", str(w), "--device", "cpu"]) == 0
    a, _ = propagated(clip_project)
    b, _ = propagated(copy)
    assert np.abs(a.xy[INNER][:, USED] - b.xy[INNER][:, USED]).max() < 1e-2


def _register(models_dir: Path, weights: Path, model_pck: float, flow_pck: float) -> str:
    from stdpose_core.trained.model_registry import add_model

    gate = {"every": 5, "targets": 40, "norm": "box", "model": {"pckh02": model_pck}, "flow": {"pckh02": flow_pck}}
    return add_model({"name": "stdpose_tiny", "path": str(weights), "mode": "propagation", "metrics": {"pckh02": model_pck},
                      "gate": gate}, activate=True)["id"]


def test_auto_uses_an_active_model_that_beats_flow(clip_project, tiny_weights, models_dir, capsys):
    _register(models_dir, tiny_weights[0], 61.0, 55.0)
    rc = main(["propagate", str(clip_project), "--device", "cpu", "--json"])  # --method auto is the default
    out = capsys.readouterr()
    assert rc == 0, out.err
    summary = json.loads(out.out)
    assert summary["method"] == "stdpose" and "+6.0" in summary["note"]
    _, versions = propagated(clip_project)
    assert versions and versions[0].startswith("stdpose:stdpose_tiny")


def test_auto_with_the_per_gap_choice(clip_project, tiny_weights, models_dir, capsys):
    _register(models_dir, tiny_weights[1], 61.0, 55.0)
    rc = main(["propagate", str(clip_project), "--method", "auto", "--choice", "gap", "--device", "cpu", "--json"])
    out = capsys.readouterr()
    assert rc == 0, out.err
    assert json.loads(out.out)["method"] == "stdpose+flow"
    t, _ = propagated(clip_project)
    assert (t.source[INNER][:, USED] == Source.PROPAGATED).all()


def test_auto_refuses_an_active_model_that_loses_to_flow(clip_project, tiny_weights, models_dir, capsys):
    _register(models_dir, tiny_weights[0], 40.0, 55.0)
    assert main(["propagate", str(clip_project), "--json"]) == 0
    summary = json.loads(capsys.readouterr().out)
    assert summary["method"] == "flow" and "loses to flow" in summary["note"]
    _, versions = propagated(clip_project)
    assert versions == []
    # The user can still ask for it by name.
    assert main(["propagate", str(clip_project), "--method", "stdpose", "--device", "cpu", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["method"] == "stdpose"


def _bad_weights(tmp_path: Path, tiny_weights) -> dict[str, tuple[Path, str]]:
    import torch

    from stdpose_core.model import create_model, save_checkpoint

    damaged = tmp_path / "damaged.pt"
    damaged.write_bytes(tiny_weights[0].read_bytes()[:3000])
    foreign = tmp_path / "foreign.pt"
    torch.save({"conv.weight": torch.zeros(2)}, foreign)
    coco = save_checkpoint(tmp_path / "coco.pt", create_model("stdpose_tiny", pretrained=False, skeleton="coco17",
                                                              img_size=(128, 96), heatmap_size=(32, 24)))
    wrong = tmp_path / "wrong_config.pt"
    ck = torch.load(tiny_weights[0], weights_only=True)
    ck["config"]["embed_dim"] = 96
    ck["config"]["num_heads"] = 3
    torch.save(ck, wrong)
    return {"damaged": (damaged, "not a readable torch checkpoint"), "foreign": (foreign, "not an STDPose checkpoint"),
            "skeleton": (coco, "coco17 skeleton"), "config": (wrong, "do not match the model config")}


@pytest.mark.parametrize("method", ["stdpose", "auto"])
def test_checkpoints_that_do_not_fit_are_one_line_and_change_nothing(clip_project, tiny_weights, tmp_path, method, capsys):
    before = digest(clip_project)
    for name, (weights, message) in _bad_weights(tmp_path, tiny_weights).items():
        rc = main(["propagate", str(clip_project), "--method", method, "--weights", str(weights), "--device", "cpu"])
        err = [ln for ln in capsys.readouterr().err.splitlines() if ln.strip()]
        assert rc == 2, name
        assert len(err) == 1 and message in err[0] and weights.name in err[0], (name, err)
        assert digest(clip_project) == before, name
