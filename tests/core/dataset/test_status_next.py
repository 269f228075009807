"""Status counts every video (cached by file state), names what is wrong per video, and ``next``
hands out each unassigned video to exactly one annotator, even when many ask at once."""

from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pytest

from stdpose_core.dataset import dataset_status, load, set_fields, take_next
from stdpose_core.dataset import status as status_mod
from stdpose_core.project_ops import create_project
from stdpose_core.session import ProjectSession


def test_status_counts_each_video(dataset):
    rows, problems = dataset_status(dataset)
    assert not problems and [r.name for r in rows] == [f"v0{i}_clip" for i in range(5)]
    r = rows[0]
    # 16 frames, keyframes 0, 7, 14 and the last frame 15; nothing propagated or reviewed yet.
    assert (r.frames, r.people, r.keyframes, r.propagated, r.reviewed, r.posed) == (16, 3, 4, 0, 0, 4)
    assert r.state == "todo" and r.assignee == "" and r.holder is None and r.problem is None
    assert r.edits == 2 and r.last_edited is not None and r.jobs == {}
    with ProjectSession.open(dataset / "v01/clip.stdpose") as s:
        t = s.project.tracks[0]
        from stdpose_core.data.edits import SetPoseRange

        reviewed = t.reviewed[2:5].copy()
        reviewed[:] = True
        s.apply(SetPoseRange(0, 2, {"reviewed": reviewed}))
    row = {r.name: r for r in dataset_status(dataset)[0]}["v01_clip"]
    assert row.reviewed == 3 and row.edits == 3 and row.fraction("reviewed") == pytest.approx(3 / 16)


def test_status_is_cached_until_a_project_changes(dataset, monkeypatch):
    dataset_status(dataset)
    calls = []
    real = status_mod.count_project
    monkeypatch.setattr(status_mod, "count_project", lambda e, root: calls.append(e.name) or real(e, root))
    dataset_status(dataset)
    assert calls == []  # every project read from the cache
    with ProjectSession.open(dataset / "v03/clip.stdpose") as s:
        from stdpose_core.project_ops import keep_keyframes_every

        s.apply(keep_keyframes_every(s.project, 14))
    rows, _ = dataset_status(dataset)
    assert calls == ["v03_clip"] and {r.name: r for r in rows}["v03_clip"].keyframes == 2


def test_status_names_problems_per_video(dataset):
    (dataset / "v01/clip.stdpose").unlink()
    (dataset / "v02/clip.stdpose").unlink()
    create_project(dataset / "v02/clip.stdpose", dataset / "v00/clip.mp4").close()  # a project of v00's video
    (dataset / "v03/clip.mp4").unlink()
    (dataset / "v04/clip.stdpose").write_bytes(b"garbage" * 50)
    rows = {r.name: r for r in dataset_status(dataset)[0]}
    assert rows["v00_clip"].problem is None and rows["v00_clip"].frames == 16
    assert "no project file" in rows["v01_clip"].problem
    assert "is a project of" in rows["v02_clip"].problem and "v00/clip.mp4" in rows["v02_clip"].problem
    assert "the video is missing" in rows["v03_clip"].problem
    assert "not a STDPose project" in rows["v04_clip"].problem and rows["v04_clip"].frames is None
    assert all("\n" not in (r.problem or "") for r in rows.values())


def test_next_hands_out_in_order_and_says_what_you_have(dataset):
    set_fields(dataset, "v00_clip", assignee="zoe")  # assigned: never handed out
    set_fields(dataset, "v01_clip", state="done")
    entry, mine = take_next(dataset, "ann")
    assert entry.name == "v02_clip" and entry.state == "in progress" and mine == []
    entry, mine = take_next(dataset, "ann")
    assert entry.name == "v03_clip" and mine == ["v02_clip"]
    assert take_next(dataset, "bob")[0].name == "v04_clip"
    assert take_next(dataset, "bob") == (None, ["v04_clip"])
    got = {e.name: (e.state, e.assignee) for e in load(dataset).entries}
    assert got["v02_clip"] == got["v03_clip"] == ("in progress", "ann") and got["v00_clip"] == ("todo", "zoe")


NEXT = """
import json, sys, time
from stdpose_core.dataset import take_next
root, me, start = sys.argv[1], sys.argv[2], float(sys.argv[3])
while time.time() < start:
    time.sleep(0.001)
entry, _ = take_next(root, me)
print(json.dumps(None if entry is None else entry.name))
"""


def test_concurrent_next_never_hands_out_a_video_twice(dataset):
    """Eight annotators (processes) ask at the same instant for five videos."""
    import time

    start = time.time() + 4.0  # every process is up and waiting by then
    procs = [subprocess.Popen([sys.executable, "-c", NEXT, str(dataset), f"a{i}", str(start)], stdout=subprocess.PIPE, text=True)
             for i in range(8)]
    got = {}
    for i, p in enumerate(procs):
        out, _ = p.communicate(timeout=180)
        assert p.returncode == 0
        got[f"a{i}"] = json.loads(out.strip().splitlines()[-1])
    handed = [v for v in got.values() if v is not None]
    assert sorted(handed) == [f"v0{i}_clip" for i in range(5)]  # each exactly once
    assert list(got.values()).count(None) == 3
    file = {e.name: e.assignee for e in load(dataset).entries}
    assert all(file[v] == who for who, v in got.items() if v is not None)


def test_status_json_round_trips(dataset):
    rows, _ = dataset_status(dataset)
    d = rows[0].to_dict()
    assert json.loads(json.dumps(d))["frames"] == 16 and isinstance(np.float64(rows[0].fraction("posed")), float)


def test_ago_says_it_as_people_do():
    from stdpose_core.dataset.status import ago

    assert ago(None) == "never" and ago(1000.0, now=1030.0) == "just now"
    assert ago(0.0, now=300.0) == "5 min ago" and ago(0.0, now=7200.0) == "2 h ago" and ago(0.0, now=3 * 86400.0) == "3 d ago"
