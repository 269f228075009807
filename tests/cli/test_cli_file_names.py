"""File names with #, ?, %, spaces, non-ASCII and bytes that are not UTF-8 work through new, import,
reopen, info, export and propagate, and leave no stray file beside the project."""

from __future__ import annotations

import json
import os
import shutil
import sys

import pytest

from stdpose_core.cli.main import main
from stdpose_core.session import ProjectSession

NAMES = ["match#2", "what?", "100%", "two words", "Zürich 日本", "file:x?mode=ro"]
if sys.platform.startswith("linux"):
    NAMES.append(os.fsdecode(b"bad\xff\xfename"))  # not valid UTF-8: Python's surrogate escapes


@pytest.fixture(scope="module")
def source_clip(tmp_path_factory):
    root = tmp_path_factory.mktemp("names-src")
    assert main(["synth", str(root / "c"), "--frames", "8", "--persons", "1", "--size", "96x64", "--format", "mp4"]) == 0
    return root / "c"


@pytest.mark.parametrize("name", NAMES, ids=lambda n: n.encode("utf-8", "backslashreplace").decode("ascii", "backslashreplace"))
def test_awkward_names_round_trip(tmp_path, source_clip, capsys, name):
    folder = tmp_path / f"dir {name}"
    folder.mkdir()
    video = folder / f"{name}.mp4"
    shutil.copyfile(source_clip / "clip.mp4", video)
    project = folder / f"{name}.stdpose"
    assert main(["new", str(project), str(video)]) == 0, capsys.readouterr().err
    assert main(["import", str(project), str(source_clip / "gt.json")]) == 0, capsys.readouterr().err
    assert main(["keyframes", str(project), "--every", "3"]) == 0
    assert main(["propagate", str(project), "--method", "flow"]) == 0, capsys.readouterr().err
    out = folder / f"{name}.json"
    assert main(["export", str(project), "--format", "posetrack18", "-o", str(out)]) == 0, capsys.readouterr().err
    capsys.readouterr()
    assert main(["info", str(project), "--json"]) == 0
    info = json.loads(capsys.readouterr().out)
    assert info["frames"] == 8 and info["people"] == 1 and info["joints_by_source"]["propagated"] > 0
    with ProjectSession.open(project) as s:  # reopen for writing
        assert s.project.num_frames == 8
    # Nothing else appeared: no 0-byte file from a mis-parsed URI, no -wal/-shm/-lock left behind.
    assert sorted(p.name for p in folder.iterdir()) == sorted([video.name, project.name, out.name])
    assert sorted(p.name for p in tmp_path.iterdir()) == [folder.name]


def test_refused_project_with_awkward_name_stays_alone(tmp_path, capsys):
    bad = tmp_path / "other#1?.stdpose"
    import sqlite3

    con = sqlite3.connect(bad)
    con.execute("CREATE TABLE t (x)")
    con.commit()
    con.close()
    before = bad.read_bytes()
    assert main(["info", str(bad)]) == 2
    assert "not a STDPose project" in capsys.readouterr().err
    assert bad.read_bytes() == before and [p.name for p in tmp_path.iterdir()] == [bad.name]
