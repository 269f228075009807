"""The editor's operations from the command line (stdpose_core/cli/cmd_annotate.py), end to end."""

from __future__ import annotations

import json

import numpy as np
import pytest

from stdpose_core.cli.main import main
from stdpose_core.data import Source
from stdpose_core.session import ProjectSession


@pytest.fixture(scope="module")
def clip(tmp_path_factory):
    out = tmp_path_factory.mktemp("clip") / "c"
    assert main(["synth", str(out), "--persons", "2", "--frames", "21", "--size", "320x180"]) == 0
    return out


@pytest.fixture
def project(clip, tmp_path, capsys):
    """Two people, keyframes every 10 frames, interpolated in between."""
    path = tmp_path / "p.stdpose"
    for argv in (["new", str(path), str(clip / "frames")], ["import", str(path), str(clip / "gt.json")],
                 ["keyframes", str(path), "--every", "10"], ["propagate", str(path), "--method", "interp"]):
        assert main(argv) == 0
    capsys.readouterr()
    return path


def load(path):
    with ProjectSession.open(path) as s:
        return s.project


def run(capsys, *argv) -> tuple[int, str, str]:
    code = main(list(argv))
    out = capsys.readouterr()
    return code, out.out, out.err


def test_move_joint_and_visibility(project, capsys):
    code, out, _ = run(capsys, "move-joint", str(project), "0", "--frame", "4", "--joint", "left_wrist", "--xy", "20,30")
    assert code == 0 and "P0 left_wrist on frame 4" in out
    t = load(project).tracks[0]
    k = 9
    assert t.xy[4, k].tolist() == [20.0, 30.0] and t.source[4, k] == Source.CORRECTED
    assert run(capsys, "set-visibility", str(project), "0", "--frame", "4", "--joint", "9", "--vis", "1")[0] == 0
    assert load(project).tracks[0].vis[4, k] == 1
    assert run(capsys, "move-joint", str(project), "1", "--frame", "5", "--joint", "nose", "--xy", "5,5", "--occluded")[0] == 0
    t1 = load(project).tracks[1]
    assert t1.vis[5, 0] == 1 and t1.xy[5, 0].tolist() == [5.0, 5.0]


def test_people_commands(project, capsys):
    assert run(capsys, "add-person", str(project), "--frame", "3", "--box", "10,10,60,90")[0] == 0
    p = load(project)
    assert sorted(p.tracks) == [0, 1, 2] and p.tracks[2].bbox[3].tolist() == [10, 10, 60, 90]
    assert run(capsys, "delete-person", str(project), "2", "--scope", "all")[0] == 0
    assert sorted(load(project).tracks) == [0, 1]
    assert run(capsys, "delete-person", str(project), "1", "--frame", "15", "--scope", "forward")[0] == 0
    assert not load(project).tracks[1].present()[15:].any()
    before = load(project)
    code, out, _ = run(capsys, "swap-ids", str(project), "0", "1", "--from", "5")
    assert code == 0 and "swap P0 and P1 from frame 5" in out
    after = load(project)
    assert np.array_equal(after.tracks[0].xy[5:], before.tracks[1].xy[5:])
    assert run(capsys, "copy-pose", str(project), "--frame", "13", "--person", "0")[0] == 0
    t = load(project).tracks[0]
    assert np.array_equal(t.xy[13][t.vis[13] > 0], t.xy[10][t.vis[13] > 0])


def test_merge_refuses_shared_frames_unless_told_whose_poses_stay(project, capsys):
    before = project.read_bytes()
    code, _, err = run(capsys, "merge", str(project), "1", "0")
    assert code == 2 and len(err.strip().splitlines()) == 1
    assert "P1 and P0 are both present on 21 frames (0–20)" in err and "human-placed" in err
    assert project.read_bytes() == before and sorted(load(project).tracks) == [0, 1]
    one = load(project).tracks[1].copy()
    code, out, _ = run(capsys, "merge", str(project), "1", "0", "--keep", "source")
    assert code == 0 and "keeping P1's poses on 21 shared frames" in out
    merged = load(project)
    assert sorted(merged.tracks) == [0] and np.array_equal(merged.tracks[0].xy, one.xy)


def test_mark_reviewed_review_queue_and_suggestions(project, capsys):
    code, out, _ = run(capsys, "review-queue", str(project), "--json")
    q = json.loads(out)
    assert code == 0 and q["total"] > 0 and q["items"][0]["risk"] >= q["items"][-1]["risk"]
    assert {"frame", "person", "joint", "score", "risk", "reasons"} <= set(q["items"][0])
    assert run(capsys, "mark-reviewed", str(project), "--frames", "0:21")[0] == 0
    assert load(project).tracks[0].reviewed.all()
    assert json.loads(run(capsys, "review-queue", str(project), "--json")[1])["total"] == 0
    assert run(capsys, "mark-reviewed", str(project), "--frames", "0:21", "--unmark", "--person", "1")[0] == 0
    p = load(project)
    assert p.tracks[0].reviewed.all() and not p.tracks[1].reviewed.any()
    code, out, _ = run(capsys, "suggest-keyframes", str(project), "--min-weakness", "0.05", "--json")
    s = json.loads(out)["suggestions"]
    assert code == 0 and s and {"track_id", "start", "stop", "frame", "weakness", "reason"} <= set(s[0])


@pytest.mark.parametrize("argv, message", [
    (["move-joint", "{p}", "7", "--frame", "1", "--joint", "nose", "--xy", "1,1"], "no person 7 (the project has P0, P1)"),
    (["move-joint", "{p}", "0", "--frame", "99", "--joint", "nose", "--xy", "1,1"], "frame 99 outside the video (0..20)"),
    (["move-joint", "{p}", "0", "--frame", "1", "--joint", "elbow", "--xy", "1,1"], "unknown joint 'elbow'"),
    (["move-joint", "{p}", "0", "--frame", "1", "--joint", "nose", "--xy", "1"], "expected 2 numbers"),
    (["move-joint", "{p}", "0", "--frame", "1", "--joint", "nose", "--xy", "9999,1"], "outside the 320x180 image"),
    (["set-visibility", "{p}", "0", "--frame", "1", "--joint", "left_ear", "--vis", "2"], "unknown joint 'left_ear'"),
    (["add-person", "{p}", "--frame", "1", "--box", "5,5,5,5"], "the box is empty"),
    (["delete-person", "{p}", "3", "--scope", "all"], "no person 3"),
    (["copy-pose", "{p}", "--frame", "0"], "no person has a keyframe before this frame"),
    (["swap-ids", "{p}", "0", "0", "--from", "2"], "choose two different people"),
    (["merge", "{p}", "0", "5"], "no person 5"),
    (["mark-reviewed", "{p}", "--frames", "5:2"], "--frames '5:2'"),
    (["review-queue", "{p}", "--threshold", "2"], "between 0 and 1"),
    (["suggest-keyframes", "{p}", "--min-weakness", "-1"], "between 0 and 1"),
])
def test_bad_input_is_one_line_and_leaves_the_project_alone(project, capsys, argv, message):
    before = project.read_bytes()
    code, _, err = run(capsys, *[a.replace("{p}", str(project)) for a in argv])
    assert code == 2, err
    assert message in err and len(err.strip().splitlines()) == 1
    assert project.read_bytes() == before


def test_a_missing_project_is_one_line(tmp_path, capsys):
    code, _, err = run(capsys, "swap-ids", str(tmp_path / "none.stdpose"), "0", "1", "--from", "0")
    assert code == 2 and "none.stdpose" in err and len(err.strip().splitlines()) == 1


def test_accept_prelabels_makes_a_keyframe_of_detected_poses(clip, tmp_path, capsys):
    path = tmp_path / "d.stdpose"
    for argv in (["new", str(path), str(clip / "frames")], ["import", str(path), str(clip / "gt.json"), "--as", "detected"]):
        assert main(argv) == 0
    code, out, _ = run(capsys, "accept-prelabels", str(path), "--frame", "6", "--person", "1")
    assert code == 0 and "accept pre-labels of P1" in out
    p = load(path)
    t1, t0 = p.tracks[1], p.tracks[0]
    assert (t1.source[6][t1.vis[6] > 0] == Source.CORRECTED).all() and (t1.score[6][t1.vis[6] > 0] == 1).all()
    assert (t0.source[6][t0.vis[6] > 0] == Source.DETECTED).all() and p.keyframes().tolist() == [6]
    code, _, err = run(capsys, "accept-prelabels", str(path), "--frame", "6", "--person", "1")
    assert code == 2 and "no" in err and "pre-labels to accept" in err
