"""Annotation without PyTorch (ADR 0020): flow propagation, the project file and exports run with
torch, torchvision, timm and ultralytics unimportable, as in the desktop build. Detection with the
default ``.pt`` weights still needs torch (the reason torch stays a dependency)."""

import os
import re
import subprocess
import sys

import pytest

BLOCK_AND_RUN = r"""
import importlib.abc, sys

class Block(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path, target=None):
        if name.split(".")[0] in ("torch", "torchvision", "timm", "ultralytics"):
            raise ImportError(f"{name} is blocked in this test")

sys.meta_path.insert(0, Block())
from stdpose_core.cli.main import main

work = sys.argv[1]
steps = [
    ["synth", f"{work}/clip", "--persons", "2", "--frames", "24", "--size", "256x160", "--format", "mp4"],
    ["new", f"{work}/p.stdpose", f"{work}/clip/clip.mp4", "--import", f"{work}/clip/gt.json"],
    ["keyframes", f"{work}/p.stdpose", "--every", "6", "--keep-last"],
    ["propagate", f"{work}/p.stdpose", "--method", "flow"],
    ["propagate", f"{work}/p.stdpose"],
    ["export", f"{work}/p.stdpose", "-o", f"{work}/out.json", "--format", "posetrack18"],
]
for argv in steps:
    rc = main(argv)
    if rc:
        sys.exit(f"stdpose {' '.join(argv)}: exit {rc}")
"""


@pytest.mark.slow
def test_flow_annotation_runs_with_torch_unimportable(tmp_path):
    env = dict(os.environ, STDPOSE_MODELS_DIR=str(tmp_path / "models"), STDPOSE_CACHE_DIR=str(tmp_path / "cache"))
    r = subprocess.run([sys.executable, "-c", BLOCK_AND_RUN, str(tmp_path)], capture_output=True, text=True, timeout=300,
                       env=env)
    assert r.returncode == 0, r.stdout[-2000:] + r.stderr[-2000:]
    runs = re.findall(r"propagated with (\w+): (\d+) joints written", r.stdout)
    assert len(runs) == 2 and runs[0][0] == "flow" and int(runs[0][1]) > 0, r.stdout
    assert (tmp_path / "out.json").stat().st_size > 0
