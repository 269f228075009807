"""``stdpose models list|activate|rollback|remove|score|export-onnx``: model vs flow side by side, the
gate refuses a losing model without --force, one-line errors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from stdpose_core.cli.main import main
from stdpose_core.trained import model_registry as reg


@pytest.fixture(autouse=True)
def models_dir(tmp_path, monkeypatch) -> Path:
    monkeypatch.setenv("STDPOSE_MODELS_DIR", str(tmp_path / "models"))
    return tmp_path / "models"


def gate(model: float, flow: float) -> dict:
    return {"every": 7, "targets": 90, "norm": "box", "model": {"pckh02": model}, "flow": {"pckh02": flow}}


@pytest.fixture
def two_models(tmp_path):
    files = []
    for name in ("a.pt", "b.pt"):
        (tmp_path / name).write_bytes(b"w")
        files.append(tmp_path / name)
    good = reg.add_model({"name": "stdpose_tiny", "path": str(files[0]), "gate": gate(58.0, 52.5)})
    bad = reg.add_model({"name": "stdpose_tiny", "path": str(files[1]), "gate": gate(41.2, 52.3)})
    return good["id"], bad["id"]


def run(args, capsys) -> tuple[int, str, list[str]]:
    rc = main(args)
    cap = capsys.readouterr()
    return rc, cap.out, [ln for ln in cap.err.splitlines() if ln.strip()]


def test_list_shows_model_vs_flow(two_models, capsys):
    good, bad = two_models
    rc, out, _ = run(["models", "list"], capsys)
    assert rc == 0
    lines = out.splitlines()
    assert "model" in lines[0] and "flow" in lines[0]
    row = next(ln for ln in lines if bad in ln)
    assert "41.2" in row and "52.3" in row and "-11.1" in row and "loses to flow" in row
    assert "'auto' propagation uses optical flow" in out  # nothing active yet
    rc, out, _ = run(["models", "list", "--json"], capsys)
    doc = json.loads(out)
    assert doc["active"] is None and doc["auto_uses"] is None
    by_id = {m["id"]: m for m in doc["models"]}
    assert by_id[good]["beats_flow"] is True and by_id[bad]["margin"] == pytest.approx(-11.1)


def test_activate_refuses_a_loser_without_force_and_rollback(two_models, capsys):
    good, bad = two_models
    rc, out, err = run(["models", "activate", good], capsys)
    assert rc == 0 and "'auto' propagation uses it" in out
    rc, _, err = run(["models", "activate", bad], capsys)
    assert rc == 2 and len(err) == 1 and "loses to optical flow by 11.1" in err[0] and "--force" in err[0]
    assert reg.get_active()["id"] == good  # nothing changed
    rc, out, _ = run(["models", "activate", bad, "--force"], capsys)
    assert rc == 0 and "forced" in out and reg.get_active()["id"] == bad and reg.get_active()["forced"]
    doc = json.loads(run(["models", "list", "--json"], capsys)[1])
    assert doc["active"] == bad and doc["auto_uses"] is None  # the gate still keeps 'auto' on flow
    rc, out, _ = run(["models", "rollback"], capsys)
    assert rc == 0 and good in out and reg.get_active()["id"] == good
    rc, out, _ = run(["models", "activate", "flow"], capsys)
    assert rc == 0 and reg.get_active() is None
    rc, _, err = run(["models", "activate", "nope"], capsys)
    assert rc == 2 and len(err) == 1 and "no model with id 'nope'" in err[0]
    rc, out, _ = run(["models", "remove", bad], capsys)
    assert rc == 0 and [m["id"] for m in reg.list_models()] == [good]


def test_unreadable_registry_is_one_line(models_dir, capsys):
    models_dir.mkdir(parents=True)
    (models_dir / "registry.json").write_text("{oops")
    rc, _, err = run(["models", "list"], capsys)
    assert rc == 2 and len(err) == 1 and "registry.json" in err[0] and "not readable JSON" in err[0]


@pytest.mark.slow
def test_score_gives_an_imported_model_its_gate_and_export_onnx(tmp_path, capsys):
    from stdpose_core.model import create_model, save_checkpoint
    from stdpose_core.synth import generate_clip, write_clip

    write_clip(generate_clip(persons=1, frames=12, size=(192, 160), seed=2), tmp_path / "clip")
    pt = save_checkpoint(tmp_path / "m.pt", create_model("stdpose_tiny", pretrained=False, img_size=(128, 96),
                                                         heatmap_size=(32, 24)))
    e = reg.add_model({"name": "stdpose_tiny", "path": str(pt)})
    rc, out, err = run(["models", "activate", e["id"]], capsys)
    assert rc == 2 and "never compared" in err[0]
    rc, out, err = run(["models", "score", e["id"], "--data", str(tmp_path / "clip" / "gt.json"), "--every", "4"], capsys)
    assert rc == 0, err
    assert "vs flow" in out and "at T=4" in out
    g = reg.get_model(e["id"])["gate"]
    assert g["every"] == 4 and g["targets"] > 0 and g["flow"]["pckh02"] > g["model"]["pckh02"]  # random weights lose
    rc, out, err = run(["models", "export-onnx", e["id"]], capsys)
    assert rc == 0, err
    onnx = tmp_path / "m.onnx"
    assert onnx.is_file() and (tmp_path / "m.fuse.onnx").is_file()
    assert reg.get_model(e["id"])["onnx"] == str(onnx.resolve())
    from stdpose_core.model import load_runtime

    assert load_runtime(onnx, "cpu").meta["gate"]["every"] == 4  # the ONNX pair carries the gate too
