"""``stdpose simulate-annotator`` and ``stdpose suggest-interval`` end to end on a generated clip."""

from __future__ import annotations

import json

import pytest

from stdpose_core.cli.main import main
from stdpose_core.session import ProjectSession


@pytest.fixture(scope="module")
def synth(tmp_path_factory):
    out = tmp_path_factory.mktemp("clip") / "c"
    assert main(["synth", str(out), "--persons", "1", "--frames", "24", "--size", "320x180"]) == 0
    return out


def test_simulate_annotator_prints_effort_per_strategy(synth, capsys):
    capsys.readouterr()
    assert main(["simulate-annotator", str(synth / "gt.json"), "--images", str(synth), "--every", "7",
                 "--method", "interp", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert set(out["strategies"]) == {"naive", "smart", "app"} and out["method"] == "interp"
    naive, app = out["strategies"]["naive"], out["strategies"]["app"]
    assert naive["all_joints"] == app["all_joints"] > 0 and naive["keyframe_joints"] == app["keyframe_joints"]
    assert naive["effort"] == pytest.approx((naive["keyframe_joints"] + naive["fixed_joints"]) / naive["all_joints"])
    assert app["fixed_joints"] <= naive["fixed_joints"] and app["refixed_joints"] == 0
    assert main(["simulate-annotator", str(synth / "gt.json"), "--images", str(synth), "--every", "5",
                 "--method", "interp", "--strategy", "naive"]) == 0
    text = capsys.readouterr().out
    assert "naive" in text and "effort" in text and "app" not in text.split("\n", 1)[1]


@pytest.mark.parametrize("args, message", [
    (["--every", "1"], "--every must be at least 2"),
    (["--images", "/nonexistent/folder"], "nonexistent"),
])
def test_simulate_annotator_bad_input_is_one_line(synth, capsys, args, message):
    base = ["simulate-annotator", str(synth / "gt.json"), "--images", str(synth), "--method", "flow"]
    assert main(base + args) == 2
    err = capsys.readouterr().err.strip()
    assert message in err and len(err.splitlines()) == 1


def test_simulate_annotator_refuses_a_missing_ground_truth(tmp_path, capsys):
    assert main(["simulate-annotator", str(tmp_path / "gt.json"), "--images", str(tmp_path)]) == 2
    err = capsys.readouterr().err.strip()
    assert "gt.json" in err and len(err.splitlines()) == 1


def test_suggest_interval_probes_detected_poses_and_applies(synth, tmp_path, capsys):
    project = tmp_path / "p.stdpose"
    assert main(["new", str(project), str(synth / "frames")]) == 0
    capsys.readouterr()
    # Nothing detected yet: one line, the project unchanged.
    before = project.read_bytes()
    assert main(["suggest-interval", str(project), "--method", "interp"]) == 2
    assert "detect people first" in capsys.readouterr().err
    assert project.read_bytes() == before
    assert main(["import", str(project), str(synth / "gt.json"), "--as", "detected"]) == 0
    capsys.readouterr()
    assert main(["suggest-interval", str(project), "--method", "interp", "--candidates", "5,10",
                 "--window", "24", "--apply", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["suggested"] in (5, 10) and set(out["candidates"]) == {"5", "10"} and out["applied"]
    with ProjectSession.open(project) as s:
        assert s.project.keyframe_interval == out["suggested"]
    assert main(["suggest-interval", str(project), "--candidates", "1,x"]) == 2
    assert len(capsys.readouterr().err.strip().splitlines()) == 1
