"""Retrain from an installed wheel, outside the checkout: the configs are package data found by name.

Builds the wheel from a copy of the sources (offline: no build isolation, no dependencies), installs
it with ``pip --target`` (the dependencies come from this interpreter), and runs the installed
``stdpose-retrain --config stdpose_tiny`` for two steps from a folder far from the checkout."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
SOURCES = ("pyproject.toml", "setup.py", "README.md", "LICENSE", "stdpose_core", "app", "models")


def run(cmd, cwd, env, timeout=600):
    r = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout)
    assert r.returncode == 0, f"{cmd[:3]}: {r.stdout[-2000:]}\n{r.stderr[-3000:]}"
    return r


@pytest.mark.slow
def test_retrain_from_an_installed_wheel(tmp_path):
    src = tmp_path / "src"
    src.mkdir()
    for name in SOURCES:
        p = REPO / name
        if p.is_dir():
            shutil.copytree(p, src / name, ignore=shutil.ignore_patterns("__pycache__", "*.pyc", "registry.json"))
        else:
            shutil.copy2(p, src / name)
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    env["PIP_NO_INDEX"] = "1"  # offline
    run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q", "-w", str(tmp_path / "dist"),
         str(src)], tmp_path, env)
    wheel = next((tmp_path / "dist").glob("stdpose_annotator-*.whl"))
    target = tmp_path / "site"
    run([sys.executable, "-m", "pip", "install", "--no-deps", "-q", "--target", str(target), str(wheel)], tmp_path, env)

    work = tmp_path / "elsewhere"
    work.mkdir()
    env.update(PYTHONPATH=str(target), STDPOSE_MODELS_DIR=str(work / "models"), OMP_WAIT_POLICY="PASSIVE")
    where = run([sys.executable, "-c", "import stdpose_core, stdpose_core.paths as p; "
                 "print(stdpose_core.__file__); print(p.package_models_dir())"], work, env).stdout.split()
    assert all(Path(w).is_relative_to(target) for w in where), where  # the wheel's code and data, not the checkout
    assert (Path(where[1]) / "stdpose_tiny.yaml").is_file()
    run([str(target / "bin" / "stdpose"), "synth", "clip", "--persons", "1", "--frames", "10", "--size", "192x160"], work, env)
    r = run([str(target / "bin" / "stdpose-retrain"), "--config", "stdpose_tiny", "--data", "clip/gt.json", "--out", "run",
             "--epochs", "1", "--steps-per-epoch", "2", "--batch-size", "2", "--val-max", "4", "--device", "cpu",
             "--progress", "jsonl"], work, env)
    events = [json.loads(line) for line in r.stdout.splitlines() if line.strip()]
    assert events[0]["model"] == "stdpose_tiny" and events[-1]["event"] == "done"
    assert [e["step"] for e in events if e["event"] == "step"] == [1, 2]
    assert (work / "run" / "best.pt").is_file()
