"""The STDPose model that ships in ``models/weights/``: loads offline, torch == ONNX, doctor, the gate."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from stdpose_core.trained.builtin import builtin_card, builtin_checkpoint, builtin_weights, gate_allows, weights_dir


@pytest.fixture(scope="module")
def card():
    """The shipped card, with the shipped model switched on for this module (off elsewhere in tests)."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("STDPOSE_BUILTIN_MODEL", "1")
        c = builtin_card()
        assert c is not None, f"no built-in model card in {weights_dir()}"
        yield c


def test_files_are_there_small_and_intact(card):
    d = Path(card["_dir"])
    pt = d / card["checkpoint"]
    assert pt.stat().st_size <= 30 << 20
    for name, digest in card["sha256"].items():
        assert hashlib.sha256((d / name).read_bytes()).hexdigest() == digest, name
    import torch

    sd = torch.load(pt, map_location="cpu", weights_only=True)["state_dict"]
    assert {t.dtype for t in sd.values() if t.is_floating_point()} == {torch.float16}


@pytest.mark.slow
def test_torch_and_onnx_give_the_same_joints_offline(card, monkeypatch):
    monkeypatch.setenv("YOLO_OFFLINE", "1")
    from stdpose_core.progress import run_to_completion
    from stdpose_core.propagation import ListSource, get_propagator
    from stdpose_core.propagation.evaluation import keep_frames, sparse_project
    from stdpose_core.synth import generate_clip

    clip = generate_clip(persons=2, frames=17, size=(320, 240), seed=5)
    keep = keep_frames(clip.gt.num_frames, 8)
    joints = {}
    for kind, path in (("torch", builtin_checkpoint()), ("onnx", builtin_weights(card, prefer="onnx"))):
        assert path is not None and path.suffix == (".pt" if kind == "torch" else ".onnx")
        project = sparse_project(clip.gt, keep)
        edit = run_to_completion(get_propagator("stdpose", weights=str(path), device="cpu").run(project, ListSource(clip.frames)))
        edit.apply(project)
        joints[kind] = np.stack([t.xy[~keep] for _, t in sorted(project.tracks.items())])
    assert np.abs(joints["torch"]).sum() > 0
    np.testing.assert_allclose(joints["onnx"], joints["torch"], atol=1e-3)


def test_doctor_lists_it_with_the_card_figures(card, tmp_path):
    env = dict(os.environ, STDPOSE_MODELS_DIR=str(tmp_path / "m"), STDPOSE_CACHE_DIR=str(tmp_path / "c"))
    r = subprocess.run([sys.executable, "-m", "stdpose_core.cli.main", "doctor"], capture_output=True, text=True,
                       env=env, timeout=300)
    assert r.returncode == 0, r.stderr
    line = next(x for x in r.stdout.splitlines() if "built-in STDPose" in x)
    row = card["validation"]["every"]["15"]
    assert f"T=15 {row['model']['pck02']:.1f} vs flow {row['flow']['pck02']:.1f}" in line
    assert card["name"] in line


def test_the_gate_decision_is_recorded_and_followed(card, tmp_path, monkeypatch):
    gate = card["gate"]
    assert isinstance(gate["beats_flow"], bool) and gate["reason"] and gate["rule"]
    every = card["validation"]["every"]
    assert set(every) == {"7", "15", "30"}
    for t, row in every.items():
        assert gate["margins"][t] == pytest.approx(row["model"]["pck02"] - row["flow"]["pck02"], abs=0.01)
    monkeypatch.setenv("STDPOSE_MODELS_DIR", str(tmp_path))  # no trained model of the user's
    from stdpose_core.propagation.auto import choose_method

    assert gate_allows(card) is gate["beats_flow"]
    assert choose_method() == ("stdpose" if gate["beats_flow"] else "flow")
