"""``stdpose-retrain`` under torchrun: 2 gloo CPU processes train like one with the same global batch."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import numpy as np
import pytest

from stdpose_core.training.dataset import EpochSampler


def test_each_process_takes_its_share_of_every_global_batch():
    one = EpochSampler(30, batch_size=6, steps=4, seed=3)
    ranks = [EpochSampler(30, batch_size=6, steps=4, seed=3, rank=r, world=2) for r in (0, 1)]
    glob = one.indices().reshape(4, 6)
    local = [r.indices().reshape(4, 3) for r in ranks]
    for step in range(4):
        assert sorted(np.concatenate([local[0][step], local[1][step]])) == sorted(glob[step])
    assert len(ranks[0]) == 12
    for r in ranks:
        r.set_epoch(0, start_step=2)  # resume mid-epoch: the same steps are skipped everywhere
    assert sorted(np.concatenate([r.indices()[:3] for r in ranks])) == sorted(glob[2])
    with pytest.raises(Exception, match="does not split over 4 processes"):
        EpochSampler(30, batch_size=6, steps=4, world=4)


def _steps(stdout: str) -> list[dict]:
    return [e for e in map(json.loads, filter(str.strip, stdout.splitlines())) if e["event"] == "step"]


@pytest.mark.slow
def test_two_gloo_processes_match_the_single_process_loss(synth_clip, small_config, tmp_path):
    clip_dir, _ = synth_clip
    env = {**os.environ, "STDPOSE_MODELS_DIR": str(tmp_path / "models"), "OMP_NUM_THREADS": "1"}
    common = ["--config", str(small_config), "--data", str(clip_dir / "gt.json"), "--epochs", "1", "--steps-per-epoch",
              "3", "--batch-size", "4", "--val-every", "0", "--device", "cpu", "--progress", "jsonl"]
    single = subprocess.run([sys.executable, "-m", "stdpose_core.training.cli", *common, "--out", str(tmp_path / "one")],
                            capture_output=True, text=True, env=env, timeout=300)
    assert single.returncode == 0, single.stderr
    ddp = subprocess.run([sys.executable, "-m", "torch.distributed.run", "--standalone", "--nproc_per_node", "2",
                          "-m", "stdpose_core.training.cli", *common, "--out", str(tmp_path / "two")],
                         capture_output=True, text=True, env=env, timeout=300)
    assert ddp.returncode == 0, ddp.stderr[-3000:]
    a, b = _steps(single.stdout), _steps(ddp.stdout)
    assert [e["step"] for e in b] == [1, 2, 3]  # one process reports (rank 0)
    # Step 1 sees identical weights and rows: equal up to float summation order. Later steps drift
    # by the per-process BatchNorm statistics (no SyncBatchNorm on CPU; see training.distributed).
    assert b[0]["loss"] == pytest.approx(a[0]["loss"], rel=1e-4)
    for x, y in zip(a, b):
        assert y["loss"] == pytest.approx(x["loss"], rel=5e-3)
    events = [json.loads(ln)["event"] for ln in ddp.stdout.splitlines() if ln.strip()]
    assert events.count("start") == 1 and events.count("done") == 1
    reg = json.loads((tmp_path / "models" / "registry.json").read_text())
    assert len(reg["models"]) == 2  # one entry per run: the second process of the DDP run wrote none
    assert (tmp_path / "two" / "best.pt").is_file() and not list((tmp_path / "two").glob(".write-test*"))
