"""``stdpose-retrain`` end to end on generated data: run folder files, jsonl progress, resume,
registry entry, and one-line errors (exit 2) for bad input before any training."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
import torch
import yaml

from stdpose_core.model.checkpoint import load_checkpoint
from stdpose_core.training.cli import main

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def clip_dir(tmp_path_factory) -> Path:
    from stdpose_core.synth import generate_clip, write_clip

    out = tmp_path_factory.mktemp("retrain") / "clip"
    write_clip(generate_clip(persons=2, frames=16, size=(256, 192), seed=5), out)
    return out


@pytest.fixture
def config(tmp_path) -> Path:
    """stdpose_tiny at 128x96 input (fast on CPU) with a training section."""
    d = yaml.safe_load((REPO / "models" / "stdpose_tiny.yaml").read_text())
    d.update(img_size=[128, 96], heatmap_size=[32, 24], training={"val_max": 6, "warmup": 1})
    path = tmp_path / "tiny.yaml"
    path.write_text(yaml.safe_dump(d))
    return path


@pytest.fixture(autouse=True)
def models_dir(tmp_path, monkeypatch) -> Path:
    monkeypatch.setenv("STDPOSE_MODELS_DIR", str(tmp_path / "models"))
    return tmp_path / "models"


def events_of(out: str) -> list[dict]:
    lines = [ln for ln in out.splitlines() if ln.strip()]
    return [json.loads(ln) for ln in lines]  # every stdout line is one JSON object


@pytest.mark.slow
def test_one_epoch_then_resume(clip_dir, config, tmp_path, capsys, models_dir):
    run = tmp_path / "run"
    spec = f"{clip_dir / 'gt.json'}:{clip_dir}"
    rc = main(["--config", str(config), "--data", spec, "--out", str(run), "--epochs", "1", "--batch-size", "2",
               "--steps-per-epoch", "3", "--device", "cpu", "--progress", "jsonl"])
    out = capsys.readouterr().out
    assert rc == 0
    for name in ("best.pt", "last.pt", "args.yaml"):
        assert (run / name).is_file(), name
    ev = events_of(out)
    names = [e["event"] for e in ev]
    assert names[0] == "start" and names[-1] == "done"
    assert names.count("step") == 3 and "val" in names and "epoch_end" in names
    step = next(e for e in ev if e["event"] == "step")
    assert {"epoch", "step", "total_steps", "loss", "lr", "eta"} <= set(step) and step["total_steps"] == 3
    val = next(e for e in ev if e["event"] == "val")
    assert val["metric_name"] == "pckh05" and val["metrics"]["targets"] > 0
    done = ev[-1]
    assert done["best"].endswith("best.pt") and done["registry_id"]
    args = yaml.safe_load((run / "args.yaml").read_text())
    assert args["training"]["epochs"] == 1 and args["training"]["batch_size"] == 2 and args["data"] == [spec]
    assert args["model"]["img_size"] == [128, 96]
    reg = json.loads((models_dir / "registry.json").read_text())
    assert [m["id"] for m in reg["models"]] == [done["registry_id"]]
    best = load_checkpoint(run / "best.pt")
    assert best.config.img_size == (128, 96) and best.meta["data"] == [spec] and best.meta["data_hashes"]

    rc = main(["--out", str(run), "--resume", "--epochs", "2", "--progress", "jsonl"])
    ev = events_of(capsys.readouterr().out)
    assert rc == 0
    assert ev[0]["event"] == "start" and ev[0]["resumed_from"] == 3
    assert [e["step"] for e in ev if e["event"] == "step"] == [4, 5, 6]
    assert load_checkpoint(run / "last.pt").extra["step"] == 6
    assert yaml.safe_load((run / "args.yaml").read_text())["training"]["epochs"] == 2
    assert len(json.loads((models_dir / "registry.json").read_text())["models"]) == 2


def assert_fails(argv, capsys, match: str) -> None:
    rc = main([*argv, "--progress", "jsonl"])
    cap = capsys.readouterr()
    assert rc == 2
    err = [ln for ln in cap.err.splitlines() if ln.strip()]
    assert len(err) == 1 and err[0].startswith("error: ") and match in err[0], cap.err
    ev = events_of(cap.out)
    assert ev[-1]["event"] == "error" and match in ev[-1]["message"]
    assert not any(e["event"] == "step" for e in ev)


def test_bad_inputs_exit_2(clip_dir, config, tmp_path, capsys):
    run = str(tmp_path / "run")
    assert_fails(["--config", str(config), "--out", run], capsys, "no training data")
    assert_fails(["--config", str(config), "--data", str(tmp_path / "nope.stdpose"), "--out", run], capsys, "not found")
    assert_fails(["--out", str(tmp_path / "fresh"), "--resume"], capsys, "nothing to resume")
    assert_fails(["--data", str(clip_dir / "gt.json"), "--out", run], capsys, "--config is required")
    assert_fails(["--config", "stdpose_tinyy", "--data", str(clip_dir / "gt.json"), "--out", run], capsys, "did you mean")
    bad = tmp_path / "bad.yaml"
    bad.write_text("name: x\nnum_joints: 17\ntraining: {epoch: 3}\n")
    assert_fails(["--config", str(bad), "--data", str(clip_dir / "gt.json"), "--out", run], capsys, "unknown training setting")
    assert_fails(["--config", str(config), "--data", str(clip_dir / "gt.json"), "--out", run, "--pretrained"], capsys,
           "no timm pretrained weights known for embed_dim 64")
    assert_fails(["--config", str(config), "--data", str(clip_dir / "gt.json"), "--out", run, "--init", str(clip_dir / "gt.json")],
           capsys, "not a readable torch checkpoint")
    if not torch.cuda.is_available():
        assert_fails(["--config", str(config), "--data", str(clip_dir / "gt.json"), "--out", run, "--device", "cuda"],
               capsys, "CUDA is not available")


def test_vitpose_file_that_does_not_fit(clip_dir, config, tmp_path, capsys):
    from stdpose_core.model import create_model

    other = create_model("stdpose_tiny", embed_dim=32, num_heads=2)  # narrower than the config
    sd = {}
    for k, v in other.state_dict().items():
        if k == "backbone.vit.pos_embed":
            sd["backbone.pos_embed"] = torch.cat([torch.zeros(1, 1, v.shape[-1]), v], 1)
        elif k.startswith("backbone.vit.norm."):
            sd["backbone.last_norm." + k.rsplit(".", 1)[1]] = v
        elif k.startswith("backbone.vit."):
            sd["backbone." + k[len("backbone.vit."):]] = v
    pth = tmp_path / "vitpose.pth"
    torch.save({"state_dict": sd}, pth)
    assert_fails(["--config", str(config), "--data", str(clip_dir / "gt.json"), "--out", str(tmp_path / "run"),
            "--vitpose", str(pth)], capsys, "does not fit")
    junk = tmp_path / "junk.pth"
    torch.save({"state_dict": {"conv.weight": torch.zeros(1)}}, junk)
    assert_fails(["--config", str(config), "--data", str(clip_dir / "gt.json"), "--out", str(tmp_path / "run"),
            "--vitpose", str(junk)], capsys, "not a ViTPose")


def test_console_script_reports_errors(tmp_path):
    exe = Path(sys.executable).with_name("stdpose-retrain")
    cmd = [str(exe)] if exe.exists() else [sys.executable, "-m", "stdpose_core.training.cli"]
    r = subprocess.run([*cmd, "--out", str(tmp_path / "r")], capture_output=True, text=True, timeout=120)
    assert r.returncode == 2 and r.stderr.strip().splitlines() == ["error: --config is required (a models/NAME.yaml file or a model name)"]


@pytest.mark.slow
def test_sigterm_saves_last_and_exits_130(clip_dir, config, tmp_path):
    """The GUI stops a run with QProcess.terminate(): last.pt is written first, so --resume continues."""
    import os
    import signal

    run = tmp_path / "run"
    env = {**os.environ, "STDPOSE_MODELS_DIR": str(tmp_path / "models")}
    proc = subprocess.Popen(
        [sys.executable, "-m", "stdpose_core.training.cli", "--config", str(config), "--data", str(clip_dir / "gt.json"),
         "--out", str(run), "--epochs", "1", "--steps-per-epoch", "50", "--batch-size", "2", "--progress", "jsonl"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    events = []
    try:
        for line in proc.stdout:
            events.append(json.loads(line))
            if events[-1]["event"] == "step":
                proc.send_signal(signal.SIGTERM)
                break
        rest, err = proc.communicate(timeout=120)
    finally:
        proc.kill()
    events += events_of(rest)
    assert proc.returncode == 130, err
    assert events[-1]["event"] == "cancelled"
    last = load_checkpoint(run / "last.pt")
    assert 1 <= last.extra["step"] < 50 and last.extra["epoch"] == 0
    assert last.extra["epoch_step"] == last.extra["step"]
