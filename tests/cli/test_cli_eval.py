"""``stdpose eval``: the paper's table, --json keys of CLI.md, metrics, and bad input."""

from __future__ import annotations

import json

import numpy as np
import pytest

from stdpose_core.cli.main import main
from stdpose_core.data import Project, Track, VideoInfo
from stdpose_core.io import write_annotations
from stdpose_core.skeleton import POSETRACK18

USED = POSETRACK18.used_joints
KEYS = {"map", "pckh05", "pckh02", "mean_px", "norm", "table"}
COLUMNS = ["Head", "Shoulder", "Elbow", "Wrist", "Hip", "Knee", "Ankle", "Mean"]


def project(shift: float = 0.0, head: bool = True) -> Project:
    p = Project(POSETRACK18, VideoInfo("frames", 3, 320, 240, frame_names=[f"{i:06d}.jpg" for i in range(3)]))
    p.labeled[:] = True
    for tid, x0 in ((0, 40.0), (1, 200.0)):
        t = Track.empty(tid, 3, 17)
        for f in range(3):
            t.xy[f, USED] = np.stack([x0 + 5 * np.arange(15) % 30, 20 + 12 * np.arange(15)], 1)
            t.vis[f, USED] = 2
            t.score[f, USED] = 1
            t.bbox[f] = [x0, 20, x0 + 30, 200]
            if head:
                t.head_bbox[f] = [x0, 15, x0 + 20, 35]
        p.tracks[tid] = t
    p.tracks[1].xy[1, USED[-1], 0] += shift  # one ankle moved on one frame
    return p


@pytest.fixture
def files(tmp_path):
    write_annotations(project(), tmp_path / "gt.json", "posetrack18")
    write_annotations(project(shift=40.0), tmp_path / "pred.json", "posetrack18")
    return tmp_path / "gt.json", tmp_path / "pred.json"


def test_json_keys_and_values(files, capsys):
    gt, pred = files
    assert main(["eval", str(gt), str(pred), "--json"]) == 0
    r = json.loads(capsys.readouterr().out)
    assert KEYS <= set(r) and "oks_ap" not in r
    assert list(r["table"]) == COLUMNS
    assert r["norm"] == "head"
    # one of 6 right-ankle predictions is wrong (all scores 1: ranked last by poseval's tie order)
    assert r["table"]["Ankle"] < 100 and r["table"]["Knee"] == 100.0
    assert r["pckh05"] == pytest.approx(100 * 89 / 90)
    assert r["mean_px"] == pytest.approx(40 / 90)


def test_ground_truth_against_itself_with_oks(files, capsys):
    gt, _ = files
    assert main(["eval", str(gt), str(gt), "--metric", "oks", "--json"]) == 0
    r = json.loads(capsys.readouterr().out)
    assert r["map"] == 100.0 and r["oks_ap"] == pytest.approx(1.0)


def test_text_table_in_paper_layout(files, capsys):
    gt, pred = files
    assert main(["eval", str(gt), str(pred)]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split() == COLUMNS
    row = lines[1].split()
    assert row[0] == "pred.json" and len(row) == 9 and float(row[-1]) < 100
    assert any("head-box" in line for line in lines)


def test_pck_metric_and_box_normalisation(tmp_path, capsys):
    write_annotations(project(head=False), tmp_path / "gt.json", "coco", skeleton="posetrack18")
    write_annotations(project(shift=40.0), tmp_path / "pred.json", "posetrack18")
    assert main(["eval", str(tmp_path / "gt.json"), str(tmp_path / "pred.json"), "--metric", "pck", "--json"]) == 0
    r = json.loads(capsys.readouterr().out)
    assert r["norm"] == "box"
    assert r["table"]["Ankle"] == pytest.approx(100 * 11 / 12)  # PCK@0.5 per joint group
    assert main(["eval", str(tmp_path / "gt.json"), str(tmp_path / "pred.json")]) == 0
    assert "person box" in capsys.readouterr().out


def test_project_file_as_prediction(tmp_path, capsys):
    from stdpose_core.session import ProjectSession

    write_annotations(project(), tmp_path / "gt.json", "posetrack18")
    ProjectSession.create(tmp_path / "p.stdpose", project()).close()
    assert main(["eval", str(tmp_path / "gt.json"), str(tmp_path / "p.stdpose"), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["map"] == 100.0


def test_bad_input_is_one_line_exit_2(tmp_path, files, capsys):
    gt, _ = files
    bad = tmp_path / "bad.json"
    bad.write_text('{"images": [], "annotations": [')
    assert main(["eval", str(gt), str(bad)]) == 2
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0 and str(bad) in err and "truncated JSON" in err
    assert main(["eval", str(gt), str(tmp_path / "missing.json")]) == 2
    assert "file not found" in capsys.readouterr().err


def test_no_matching_frames_warns(tmp_path, files, capsys):
    gt, _ = files
    other = project()
    other.video.frame_names = [f"x{i}.png" for i in range(3)]
    write_annotations(other, tmp_path / "other.json", "posetrack18")
    assert main(["eval", str(gt), str(tmp_path / "other.json"), "--json"]) == 0
    out = capsys.readouterr()
    assert json.loads(out.out)["map"] == 0.0 and "no frame of" in out.err
