"""``stdpose doctor`` and ``--version`` explain the installation in plain words."""

from __future__ import annotations

import json
import os
import subprocess
import sys

from stdpose_core import __version__

STDPOSE = [sys.executable, "-m", "stdpose_core.cli.main"]


def run(args, env_extra):
    env = dict(os.environ, **env_extra)
    return subprocess.run(STDPOSE + args, capture_output=True, text=True, env=env, timeout=300)


def test_version():
    r = run(["--version"], {})
    assert r.returncode == 0 and __version__ in r.stdout


def test_doctor_explains_missing_model_and_device(tmp_path):
    r = run(["doctor"], {"STDPOSE_MODELS_DIR": str(tmp_path / "models"), "STDPOSE_CACHE_DIR": str(tmp_path / "cache")})
    assert r.returncode == 0, r.stderr
    assert "What is missing" in r.stdout
    assert "uses the 'flow' method" in r.stdout  # no STDPose weights → says what happens instead
    assert ("CPU only" in r.stdout) or ("CUDA" in r.stdout)
    assert str(tmp_path / "models") in r.stdout


def test_doctor_json_lists_checks(tmp_path):
    r = run(["doctor", "--json"], {"STDPOSE_MODELS_DIR": str(tmp_path / "m"), "STDPOSE_CACHE_DIR": str(tmp_path / "c")})
    rows = json.loads(r.stdout)
    topics = {row["topic"]: row for row in rows}
    assert topics["STDPose model"]["ok"] is False
    assert "torch" in topics and "detector weights" in topics
