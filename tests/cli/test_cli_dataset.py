"""``stdpose dataset ...`` end to end on a generated dataset: init, status, next, set, batch jobs and
their summaries, exports scored by ``stdpose eval GT_DIR PRED_DIR``, and bad input (one line, exit 2)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from stdpose_core.cli.main import main

STDPOSE = [sys.executable, "-m", "stdpose_core.cli.main"]


def run_json(capsys, *argv) -> dict:
    capsys.readouterr()
    rc = main([str(a) for a in argv] + ["--json"])
    out = capsys.readouterr().out
    return rc, json.loads(out)


def test_init_status_next_set(tmp_path, capsys):
    from stdpose_core.progress import run_to_completion
    from stdpose_core.synth import make_scene, write_scene_job

    for i in range(3):
        run_to_completion(write_scene_job(make_scene(2, 8, (160, 96), i, False), tmp_path / f"m{i}", "mp4", True))
    assert main(["dataset", "init", str(tmp_path)]) == 0
    assert "3 videos added" in capsys.readouterr().out
    rc, status = run_json(capsys, "dataset", "status", tmp_path)
    assert rc == 0 and [v["name"] for v in status["videos"]] == ["m0_clip", "m1_clip", "m2_clip"]
    assert status["videos"][0]["frames"] == 8 and status["videos"][0]["people"] == 0
    assert main(["dataset", "next", str(tmp_path), "--me", "ann"]) == 0
    assert "m0_clip: yours now" in capsys.readouterr().out
    rc, got = run_json(capsys, "dataset", "next", tmp_path, "--me", "ann")
    assert rc == 0 and got["video"] == "m1_clip" and got["in_progress"] == ["m0_clip"]
    assert main(["dataset", "set", str(tmp_path), "m1_clip", "--state", "review", "--assignee", ""]) == 0
    assert "m1_clip: review, assigned to nobody" in capsys.readouterr().out
    assert main(["dataset", "status", str(tmp_path), "--state", "review"]) == 0
    table = capsys.readouterr().out
    assert "m1_clip" in table and "m0_clip" not in table and "1 videos:" in table
    assert main(["dataset", "next", str(tmp_path), "--me", "bob"]) == 0
    capsys.readouterr()
    assert main(["dataset", "next", str(tmp_path), "--me", "bob"]) == 1  # none left
    assert "no unassigned video left" in capsys.readouterr().out


def test_batch_summary_exit_codes_and_folder_eval(dataset, tmp_path, capsys):
    out = tmp_path / "val"
    assert main(["dataset", "propagate", str(dataset), "--method", "flow"]) == 0
    text = capsys.readouterr().out
    assert text.count(": done") == 5 and "propagate: 5 done" in text and "videos/min" in text
    assert main(["dataset", "export", str(dataset), "--format", "posetrack18", "-o", str(out)]) == 0
    assert "wrote 5 files" in capsys.readouterr().out
    rc, score = run_json(capsys, "eval", out, out)
    assert rc == 0 and score["map"] == pytest.approx(100.0) and score["videos"] == 5
    assert main(["eval", str(out), str(out), "--per-video"]) == 0
    assert "(5 videos)" in capsys.readouterr().out
    (dataset / "v02/clip.mp4").write_bytes(b"broken" * 1000)
    (dataset / ".stdpose-dataset" / "jobs").rename(tmp_path / "old-records")
    rc = main(["dataset", "propagate", str(dataset), "--method", "flow"])
    text = capsys.readouterr().out
    assert rc == 1 and "v02_clip: failed" in text and text.count(": done") == 4
    rc, summary = run_json(capsys, "dataset", "eval", dataset)
    assert rc == 0 and summary["total"]["videos"] == 5 and summary["counts"] == {"done": 5}


def test_bad_input_is_one_line_exit_2(dataset, tmp_path):
    (dataset / "stdpose-dataset.json").write_text("{ this is not json")
    for argv in (["dataset", "status", str(dataset)], ["dataset", "next", str(dataset), "--me", "x"],
                 ["dataset", "propagate", str(dataset)], ["dataset", "status", str(tmp_path / "nowhere")],
                 ["dataset", "propagate", str(dataset), "--shard", "3/3"],
                 ["eval", str(tmp_path), str(dataset / "v00/gt.json")]):
        r = subprocess.run(STDPOSE + argv, capture_output=True, text=True, timeout=120)
        assert r.returncode == 2, (argv, r.stderr)
        lines = [ln for ln in r.stderr.splitlines() if ln.strip()]
        assert len(lines) == 1 and lines[0].startswith("error: "), (argv, r.stderr)
    assert (dataset / "stdpose-dataset.json").read_text() == "{ this is not json"


@pytest.mark.slow
def test_retrain_on_a_dataset_folder(dataset, tmp_path, monkeypatch):
    """``stdpose-retrain --data DATASET_DIR`` trains on every project of the dataset."""
    import yaml

    from stdpose_core.training.cli import main as retrain
    from stdpose_core.training.data import load_clips

    clips = load_clips([str(dataset)])
    assert [Path(c.spec).parent.name for c in clips] == ["v00", "v01", "v02", "v03", "v04"]
    assert all(len(c.tracks) == 3 for c in clips)
    repo = Path(__file__).resolve().parents[2]
    d = yaml.safe_load((repo / "models" / "stdpose_tiny.yaml").read_text())
    d.update(img_size=[128, 96], heatmap_size=[32, 24], training={"val_max": 4, "warmup": 1})
    config = tmp_path / "tiny.yaml"
    config.write_text(yaml.safe_dump(d))
    monkeypatch.setenv("STDPOSE_MODELS_DIR", str(tmp_path / "models"))
    run = tmp_path / "run"
    rc = retrain(["--config", str(config), "--data", str(dataset), "--out", str(run), "--epochs", "1", "--batch-size", "2",
                  "--steps-per-epoch", "2", "--device", "cpu", "--progress", "none", "--every", "7"])
    assert rc == 0 and (run / "best.pt").is_file()
    assert yaml.safe_load((run / "args.yaml").read_text())["data"] == [str(dataset)]
