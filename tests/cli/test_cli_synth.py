"""``stdpose synth`` end to end: files on disk, the JSON summary, clear errors for bad arguments."""

from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pytest

from stdpose_core.cli.main import main
from stdpose_core.io import read_annotations


def test_writes_frames_and_gt_that_read_back(tmp_path, capsys):
    out = tmp_path / "clip"
    rc = main(["synth", str(out), "--persons", "2", "--frames", "8", "--size", "160x96", "--seed", "3", "--json"])
    assert rc == 0
    summary = json.loads(capsys.readouterr().out)
    assert summary["frames"] == 8 and summary["persons"] == 2 and (summary["width"], summary["height"]) == (160, 96)
    assert sorted(p.name for p in (out / "frames").iterdir()) == [f"{i:06d}.jpg" for i in range(8)]
    gt = read_annotations(out / "gt.json")
    assert gt.num_frames == 8 and len(gt.tracks) == 2 and gt.skeleton.name == "posetrack18"
    assert gt.video.frame_names[0] == "frames/000000.jpg"
    assert all((out / n).is_file() for n in gt.video.frame_names)  # file names are relative to OUT_DIR


def test_mp4_format(tmp_path, capsys):
    out = tmp_path / "clip"
    assert main(["synth", str(out), "--persons", "1", "--frames", "5", "--size", "96x64", "--format", "mp4"]) == 0
    assert "clip.mp4" in capsys.readouterr().out
    assert (out / "clip.mp4").stat().st_size > 0 and (out / "gt.json").is_file()
    assert read_annotations(out / "gt.json").num_frames == 5


def test_exits_flag(tmp_path):
    out = tmp_path / "clip"
    assert main(["synth", str(out), "--persons", "3", "--frames", "120", "--size", "64x48", "--seed", "1",
                 "--exits"]) == 0
    gt = read_annotations(out / "gt.json")
    assert len(gt.tracks) == 3 and not all(t.present().all() for t in gt.tracks.values())


@pytest.mark.parametrize("args, message", [
    (["--size", "0x0"], "size 0x0"),
    (["--size", "640"], "expected WxH"),
    (["--persons", "0"], "persons must be at least 1"),
    (["--frames", "-3"], "frames must be at least 1"),
    (["--seed", "-1"], "seed"),
    (["--size", "97x64", "--format", "mp4"], "even"),
])
def test_bad_arguments_give_one_line_and_exit_2(tmp_path, capsys, args, message):
    out = tmp_path / "clip"
    assert main(["synth", str(out), "--frames", "2", *args]) == 2
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err and len(err.strip().splitlines()) == 1
    assert not (out / "gt.json").exists()


def test_existing_output_needs_overwrite(tmp_path, capsys):
    out = tmp_path / "clip"
    base = ["synth", str(out), "--persons", "1", "--frames", "2", "--size", "64x48"]
    assert main(base) == 0
    assert main(base) == 2 and "already exists" in capsys.readouterr().err
    assert main([*base, "--overwrite"]) == 0


def test_console_script_runs_quietly_when_piped(tmp_path):
    out = tmp_path / "clip"
    proc = subprocess.run([sys.executable, "-m", "stdpose_core.cli.main", "synth", str(out), "--persons", "2",
                           "--frames", "3", "--size", "64x48"], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr == ""  # no progress bar on a pipe
    assert "wrote 3 frames of 2 people" in proc.stdout


def test_generated_clip_survives_new_import_export(tmp_path, capsys):
    """The issue's pipeline: synth -> new -> import -> export gives back the same annotation (mAP 100)."""
    clip, project, out = tmp_path / "c", tmp_path / "p.stdpose", tmp_path / "out.json"
    assert main(["synth", str(clip), "--persons", "3", "--frames", "6", "--size", "128x96", "--seed", "2"]) == 0
    assert main(["new", str(project), str(clip / "frames")]) == 0
    assert main(["import", str(project), str(clip / "gt.json")]) == 0
    assert main(["export", str(project), "--format", "posetrack18", "-o", str(out)]) == 0
    capsys.readouterr()
    assert main(["eval", str(clip / "gt.json"), str(out), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["map"] == 100.0
    gt, back = read_annotations(clip / "gt.json"), read_annotations(out)
    assert sorted(gt.tracks) == sorted(back.tracks)
    for tid, t in gt.tracks.items():
        b = back.tracks[tid]
        assert (b.vis == t.vis).all() and (b.xy == t.xy).all()
        np.testing.assert_array_equal(b.head_bbox, t.head_bbox)
