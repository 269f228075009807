"""Every entry point that may start torch work asks OpenMP for passive waiting, before torch loads,
and a user's own OMP_WAIT_POLICY wins."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
ENTRY_POINTS = ["stdpose_core.cli.main", "stdpose_core.training.cli", "app.main"]

PROBE = """
import os, sys
from {module} import main
try:
    main(["--help"])
except SystemExit:
    pass
print(os.environ.get("OMP_WAIT_POLICY"), "torch" in sys.modules)
"""


def run_probe(module: str, policy: str | None) -> list[str]:
    env = {k: v for k, v in os.environ.items() if k != "OMP_WAIT_POLICY"}
    env["PYTHONPATH"] = str(REPO) + os.pathsep + env.get("PYTHONPATH", "")
    env["QT_QPA_PLATFORM"] = "offscreen"
    if policy is not None:
        env["OMP_WAIT_POLICY"] = policy
    out = subprocess.run([sys.executable, "-c", PROBE.format(module=module)], env=env, capture_output=True,
                         text=True, timeout=120, cwd=REPO)
    assert out.returncode == 0, out.stderr
    return out.stdout.strip().splitlines()[-1].split()


@pytest.mark.parametrize("module", ENTRY_POINTS)
def test_entry_point_sets_passive_waiting_before_torch(module):
    policy, torch_loaded = run_probe(module, None)
    assert policy == "PASSIVE"
    assert torch_loaded == "False"  # so OpenMP has not read the variable yet: it takes effect


def test_users_own_policy_is_kept():
    assert run_probe("stdpose_core.cli.main", "ACTIVE")[0] == "ACTIVE"


def test_prefer_passive_waiting_reports_whether_it_takes_effect(monkeypatch):
    from stdpose_core.openmp import prefer_passive_waiting

    monkeypatch.delenv("OMP_WAIT_POLICY", raising=False)
    result = prefer_passive_waiting()
    assert os.environ["OMP_WAIT_POLICY"] == "PASSIVE"
    assert result == ("torch" not in sys.modules)
    monkeypatch.setenv("OMP_WAIT_POLICY", "active")
    assert prefer_passive_waiting() is False
