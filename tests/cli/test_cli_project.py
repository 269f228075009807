"""End to end through the ``stdpose`` console script: synth → new → import → export → eval, info,
keyframes, and bad input (one clear line, non-zero exit, project untouched)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from stdpose_core.checksum import file_sha256

STDPOSE = [sys.executable, "-m", "stdpose_core.cli.main"]


def run(*args: str, ok: bool = True) -> subprocess.CompletedProcess:
    r = subprocess.run(STDPOSE + [str(a) for a in args], capture_output=True, text=True, timeout=300)
    if ok:
        assert r.returncode == 0, r.stderr
    return r


@pytest.fixture(scope="module")
def clip(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("clip")
    run("synth", out, "--persons", 3, "--frames", 24, "--size", "320x192", "--seed", 3)
    return out


def test_issue2_pipeline_reports_map_100(clip, tmp_path):
    proj = tmp_path / "p.stdpose"
    run("new", proj, clip / "frames")
    run("import", proj, clip / "gt.json")
    out = tmp_path / "out.json"
    run("export", proj, "--format", "posetrack18", "-o", out)
    r = run("eval", clip / "gt.json", out, "--json")
    result = json.loads(r.stdout)
    assert result["map"] == pytest.approx(100.0)
    assert result["pckh05"] == pytest.approx(100.0)
    assert result["mean_px"] == pytest.approx(0.0, abs=1e-3)


def test_info_json_counts_people_and_joints(clip, tmp_path):
    proj = tmp_path / "p.stdpose"
    run("new", proj, clip / "frames")
    run("import", proj, clip / "gt.json")
    info = json.loads(run("info", proj, "--json").stdout)
    assert info["frames"] == 24 and info["people"] == 3
    assert info["joints_by_source"]["manual"] > 24 * 3 * 10
    assert info["keyframes"] == 24


def test_keyframes_thins_manual_poses(clip, tmp_path):
    proj = tmp_path / "p.stdpose"
    run("new", proj, clip / "frames")
    run("import", proj, clip / "gt.json")
    run("keyframes", proj, "--every", 5)
    info = json.loads(run("info", proj, "--json").stdout)
    assert info["keyframes"] == len(range(0, 24, 5))
    assert info["keyframe_interval"] == 5


@pytest.mark.parametrize("fmt", ["posetrack21", "coco"])
def test_other_export_formats_write_readable_json(clip, tmp_path, fmt):
    proj = tmp_path / "p.stdpose"
    run("new", proj, clip / "frames")
    run("import", proj, clip / "gt.json")
    out = tmp_path / f"out_{fmt}.json"
    run("export", proj, "--format", fmt, "-o", out)
    data = json.loads(out.read_text())
    assert len(data["annotations"]) > 0 and "images" in data


def test_bad_annotations_leave_project_untouched(clip, tmp_path):
    proj = tmp_path / "p.stdpose"
    run("new", proj, clip / "frames")
    before = file_sha256(proj)
    bad = tmp_path / "bad.json"
    bad.write_text('{"images": [1, 2')
    r = run("import", proj, bad, ok=False)
    assert r.returncode != 0
    lines = [ln for ln in r.stderr.strip().splitlines() if ln]
    assert len(lines) == 1 and str(bad) in lines[0]
    assert "Traceback" not in r.stderr
    assert file_sha256(proj) == before


@pytest.mark.parametrize(
    "args, needle",
    [
        (["info", "missing.stdpose"], "no such project file"),
        (["new", "x.stdpose", "no_such_video.mp4"], "no_such_video.mp4"),
        (["export", "missing.stdpose", "--format", "coco", "-o", "o.json"], "no such project file"),
    ],
)
def test_bad_input_is_one_clear_line(tmp_path, args, needle):
    r = subprocess.run(STDPOSE + args, capture_output=True, text=True, cwd=tmp_path, timeout=120)
    assert r.returncode != 0
    assert needle in r.stderr and "Traceback" not in r.stderr
    assert len(r.stderr.strip().splitlines()) == 1


def test_not_a_project_file_is_refused_and_untouched(tmp_path):
    fake = tmp_path / "fake.stdpose"
    fake.write_text("just text")
    r = run("info", fake, ok=False)
    assert "not a STDPose project" in r.stderr
    assert fake.read_text() == "just text"


def test_new_on_a_truncated_video_says_so(tmp_path, capsys):
    from stdpose_core.cli.main import main
    from stdpose_core.video.indexed_clip import write_indexed_clip

    full = write_indexed_clip(tmp_path / "full.avi", 60, codec="mpeg4", bframes=0)
    cut = tmp_path / "cut.avi"
    cut.write_bytes(full.read_bytes()[: int(full.stat().st_size * 0.7)])
    assert main(["new", str(tmp_path / "cut.stdpose"), str(cut)]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0].startswith("created")
    warnings = [line for line in out if line.startswith(f"warning: {cut}: ")]
    assert any("truncated" in line for line in warnings) and any("stdpose reencode" in line for line in warnings)
    assert main(["new", str(tmp_path / "full.stdpose"), str(full)]) == 0
    assert "warning" not in capsys.readouterr().out  # a healthy file: nothing to say


def test_new_on_a_variable_frame_rate_video_says_so_and_the_reencoded_copy_is_constant(tmp_path, capsys):
    from stdpose_core.cli.main import main
    from stdpose_core.video.indexed_clip import write_indexed_clip

    vfr = write_indexed_clip(tmp_path / "vfr.mkv", 30, pts_ms=[i * 40 + (i % 3) * 15 for i in range(30)])
    assert main(["new", str(tmp_path / "vfr.stdpose"), str(vfr)]) == 0
    warnings = [line for line in capsys.readouterr().out.splitlines() if line.startswith(f"warning: {vfr}: ")]
    assert len(warnings) == 1 and "variable frame rate: frames last 10-55 ms" in warnings[0]
    assert "stdpose reencode" in warnings[0]
    assert main(["reencode", str(vfr), str(tmp_path / "cfr.mp4")]) == 0
    capsys.readouterr()
    assert main(["new", str(tmp_path / "cfr.stdpose"), str(tmp_path / "cfr.mp4")]) == 0
    assert "variable frame rate" not in capsys.readouterr().out
