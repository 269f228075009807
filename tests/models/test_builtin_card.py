"""The built-in model's card: which files, which figures, and the gate's decision (``trained.builtin``)."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import pytest

from stdpose_core.trained import builtin

REPO = Path(__file__).resolve().parents[2]


def _ship_module():
    spec = importlib.util.spec_from_file_location("ship_default", REPO / "scripts" / "ship_default.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def _every(model, flow):
    return {str(t): {"model": {"pck02": m, "mean_px": 3.0}, "flow": {"pck02": f, "mean_px": 3.5}}
            for t, m, f in zip((7, 15, 30), model, flow)}


def test_gate_decision_needs_a_mean_win_and_no_clear_loss():
    gate = _ship_module().gate_decision
    assert gate(_every([78.0, 70.0, 62.0], [78.0, 67.0, 58.0]))["beats_flow"] is True
    loses_t7 = gate(_every([77.0, 71.0, 62.0], [78.0, 67.0, 58.0]))
    assert loses_t7["beats_flow"] is False and "T=7" in loses_t7["reason"]
    tie = gate(_every([78.0, 67.0, 58.0], [78.0, 67.0, 58.0]))
    assert tie["beats_flow"] is False and "does not beat flow" in tie["reason"]
    assert tie["margins"] == {"7": 0.0, "15": 0.0, "30": 0.0}


def _card(tmp_path: Path, beats: bool) -> Path:
    d = tmp_path / "weights"
    d.mkdir()
    (d / "m.onnx").write_bytes(b"x")
    (d / "m.pt").write_bytes(b"x")
    card = {"format": builtin.FORMAT, "format_version": 1, "name": "stdpose_cpu", "checkpoint": "m.pt", "onnx": "m.onnx",
            "validation": {"clips": "JHMDB val", "every": _every([80.0, 70.0, 60.0], [78.0, 67.1, 57.9])},
            "gate": {"beats_flow": beats, "reason": "test"}}
    (d / builtin.CARD_NAME).write_text(json.dumps(card))
    return d


@pytest.mark.parametrize("beats", [True, False])
def test_card_summary_and_what_auto_may_use(tmp_path, monkeypatch, beats, builtin_model):
    d = _card(tmp_path, beats)
    monkeypatch.setattr(builtin, "weights_dir", lambda: d)
    monkeypatch.setenv("STDPOSE_MODELS_DIR", str(tmp_path / "models"))  # empty registry
    card = builtin.builtin_card()
    assert builtin.builtin_weights(card) == d / "m.onnx" and builtin.builtin_checkpoint() == d / "m.pt"
    text = builtin.summary(card)
    assert "T=15 70.0 vs flow 67.1" in text and ("auto uses it" in text) is beats
    from stdpose_core.doctor import check_builtin_model
    from stdpose_core.propagation.auto import choose_method
    from stdpose_core.trained.gate import choose_weights

    row = check_builtin_model()
    assert row.ok and "T=30 60.0 vs flow 57.9" in row.value
    gated = choose_weights(gated=True)
    assert gated.path == (str(d / "m.onnx") if beats else None)
    assert choose_method() == ("stdpose" if beats else "flow")
    if beats:
        assert gated.origin == "builtin" and "70.0 vs flow 67.1" in gated.gate.summary()
    else:
        assert "built-in model stdpose_cpu test" in gated.note
    # Method 'stdpose' without weights (no gate: the user asked for the model) takes it either way.
    ungated = choose_weights(gated=False)
    assert ungated.path == str(d / "m.onnx") and ungated.origin == "builtin"
    monkeypatch.setenv(builtin.ENV_SWITCH, "off")  # the user's switch: no shipped model at all
    assert builtin.builtin_card() is None and choose_method() == "flow" and choose_weights(gated=False).path is None


def test_no_card_or_a_foreign_file_means_no_builtin_model(tmp_path, monkeypatch, builtin_model):
    monkeypatch.setattr(builtin, "weights_dir", lambda: tmp_path)
    assert builtin.builtin_card() is None and builtin.builtin_weights() is None and not builtin.gate_allows()
    (tmp_path / builtin.CARD_NAME).write_text('{"format": "something else"}')
    assert builtin.builtin_card() is None
    (tmp_path / builtin.CARD_NAME).write_text("not json")
    assert builtin.builtin_card() is None
