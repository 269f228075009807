"""The quality gate: which weights 'auto' and 'stdpose' use, and what activating a loser says."""

from __future__ import annotations

import json

import pytest

from stdpose_core.trained import model_registry as reg
from stdpose_core.trained import project_model
from stdpose_core.trained.gate import GateScores, activation_warning, choose_weights, gate_of


def gate(model: float, flow: float, every: int = 7) -> dict:
    return {"every": every, "targets": 120, "norm": "box", "model": {"pckh02": model, "mean_px": 9.0},
            "flow": {"pckh02": flow, "mean_px": 8.0}, "data": ["a.json"]}


@pytest.fixture
def ckpt(tmp_path):
    p = tmp_path / "best.pt"
    p.write_bytes(b"w")
    return p


def test_scores_margin_summary_and_round_trip():
    g = GateScores.from_dict(gate(41.2, 52.3))
    assert g.margin == pytest.approx(-11.1) and not g.beats_flow
    assert g.summary() == "PCK@0.2 (box) 41.2 vs flow 52.3 (-11.1) at T=7 on 120 person-frames"
    assert GateScores.from_dict(json.loads(json.dumps(g.to_dict()))) == g
    assert GateScores.from_dict(gate(52.4, 52.3)).beats_flow
    assert not GateScores.from_dict(gate(52.3, 52.3)).beats_flow  # a tie does not win
    assert GateScores.from_dict({"every": 7}) is None and gate_of({"gate": "junk"}) is None
    nan = GateScores.from_dict(gate(float("nan"), 50.0))
    assert nan.margin is None and not nan.beats_flow and "no PCK@0.2" in nan.summary()


def test_auto_uses_only_models_that_beat_flow_stdpose_uses_the_active_one(ckpt):
    assert choose_weights().path is None and "no trained STDPose model is active" in choose_weights().note
    loser = reg.add_model({"name": "stdpose_tiny", "path": str(ckpt), "gate": gate(40.0, 50.0)}, activate=True)
    pick = choose_weights()
    assert pick.path is None and "loses to flow" in pick.note and "-10.0" in pick.note
    assert choose_weights(gated=False).path == str(ckpt)  # method 'stdpose': the user asked for it
    winner = reg.add_model({"name": "stdpose_tiny", "path": str(ckpt), "gate": gate(55.0, 50.0)}, activate=True)
    assert choose_weights().path == str(ckpt) and choose_weights().origin == "registry"
    assert choose_weights("x.onnx").origin == "explicit"
    reg.update_model(winner["id"], {"mode": "estimation"})
    assert "estimation mode" in choose_weights().note
    ckpt.unlink()
    reg.update_model(winner["id"], {"mode": None})
    assert choose_weights().path is None and "missing" in choose_weights().note
    assert loser["id"] != winner["id"]


def test_activation_warning_says_by_how_much(ckpt):
    e = reg.add_model({"name": "stdpose_tiny", "path": str(ckpt), "gate": gate(41.2, 52.3)})
    text = activation_warning(e)
    assert "loses to optical flow by 11.1 PCK@0.2 (box) points" in text and "'auto'" in text
    assert activation_warning({**e, "gate": gate(60.0, 52.3)}) is None
    assert "never compared" in activation_warning({"id": "imported"})
    reg.set_active(e["id"], forced=True)
    assert reg.get_active()["forced"] is True
    reg.set_active(e["id"])
    assert "forced" not in reg.get_active()


def test_a_project_model_comes_first_and_passes_the_gate_too(tmp_path, ckpt):
    reg.add_model({"name": "stdpose_tiny", "path": str(ckpt), "gate": gate(55.0, 50.0)}, activate=True)
    project = tmp_path / "clip.stdpose"
    adapted = tmp_path / "adapted-1.pt"
    adapted.write_bytes(b"a")
    rec = project_model.add_adapted(project, adapted, {"gate": gate(70.0, 60.0), "base": {"path": str(ckpt)}})
    assert rec["path"] == str(tmp_path / "clip.stdpose-models" / "adapted-1.pt") and not adapted.exists()
    pick = choose_weights(project_path=project)
    assert pick.origin == "project" and pick.path == rec["path"]
    other = tmp_path / "adapted-2.pt"
    other.write_bytes(b"b")
    project_model.add_adapted(project, other, {"gate": gate(58.0, 60.0)})  # adapted, but flow wins on this video
    pick = choose_weights(project_path=project)
    assert pick.origin == "registry" and "project's adapted model loses to flow" in pick.note
    assert choose_weights(project_path=project, gated=False).origin == "project"
    assert project_model.reset(project) and choose_weights(project_path=project, gated=False).origin == "registry"
    (project_model.models_dir(project) / project_model.RECORD).write_text("{broken")
    pick = choose_weights(project_path=project)  # an unreadable record never stops propagation
    assert pick.origin == "registry" and "not readable JSON" in pick.note
