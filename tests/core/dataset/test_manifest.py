"""The dataset file: init finds videos and makes projects, bad files and entries are one line each and
nothing is lost, and concurrent read-modify-writes never lose a change."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from stdpose_core.dataset import STATES, init_dataset, load, set_fields
from stdpose_core.dataset.discover import short_names
from stdpose_core.dataset.manifest import dataset_file, update
from stdpose_core.errors import InputError, StdposeError
from stdpose_core.progress import run_to_completion


def write_doc(root: Path, doc) -> bytes:
    data = (doc if isinstance(doc, str) else json.dumps(doc)).encode()
    dataset_file(root).write_bytes(data)
    return data


def test_init_lists_mp4_and_image_folders_and_makes_projects(tmp_path):
    from stdpose_core.synth import make_scene, write_scene_job

    for i, fmt in enumerate(("mp4", "frames", "mp4")):
        run_to_completion(write_scene_job(make_scene(2, 8, (160, 96), i, False), tmp_path / f"clips/c{i}", fmt, True))
    result = run_to_completion(init_dataset(tmp_path))
    assert sorted(result["added"]) == ["c0_clip", "c1_frames", "c2_clip"] and not result["problems"]
    ds = load(tmp_path)
    by_name = {e.name: e for e in ds.entries}
    assert by_name["c1_frames"].video == "clips/c1/frames" and by_name["c1_frames"].project == "clips/c1/frames.stdpose"
    assert all(e.project_path(tmp_path).is_file() and e.state == "todo" and e.assignee == "" for e in ds.entries)
    # Again: nothing new; states survive; a new video is added under a fresh name.
    set_fields(tmp_path, "c0_clip", state="review", assignee="ann")
    run_to_completion(write_scene_job(make_scene(2, 8, (160, 96), 9, False), tmp_path / "clips/c9", "mp4", True))
    again = run_to_completion(init_dataset(tmp_path))
    assert again["added"] == ["c9_clip"] and again["already"] == 3
    e = load(tmp_path).entry("c0_clip")
    assert (e.state, e.assignee) == ("review", "ann")


def test_init_names_unreadable_video_and_foreign_project_and_goes_on(tmp_path):
    from stdpose_core.synth import make_scene, write_scene_job

    for name in ("good", "other"):
        run_to_completion(write_scene_job(make_scene(1, 6, (160, 96), 1, False), tmp_path / name, "mp4", True))
    (tmp_path / "broken").mkdir()
    (tmp_path / "broken" / "bad.mp4").write_bytes(b"this is not a video" * 100)
    # 'other/clip.stdpose' exists already but is a project of good/clip.mp4.
    from stdpose_core.project_ops import create_project

    create_project(tmp_path / "other" / "clip.stdpose", tmp_path / "good" / "clip.mp4").close()
    result = run_to_completion(init_dataset(tmp_path))
    assert result["added"] == ["good_clip"]
    lines = result["problems"]
    assert len(lines) == 2
    assert any("bad.mp4" in ln and "left out" in ln for ln in lines)
    assert any("other/clip.stdpose" in ln and "not of" in ln for ln in lines)


def test_nonsense_file_is_one_line_and_never_rewritten(dataset):
    for text, says in (("{\"stdpose_dataset\": 1, \"videos\": [", "not valid JSON (line 1"),
                       ("[1, 2]", "must hold a JSON object"),
                       ("{\"videos\": []}", "no 'stdpose_dataset' version"),
                       ("{\"stdpose_dataset\": 99, \"videos\": []}", "newer STDPose Annotator"),
                       ("{\"stdpose_dataset\": 1, \"videos\": {}}", "'videos' must be a list")):
        data = write_doc(dataset, text)
        with pytest.raises(InputError, match=re.escape(says)) as err:
            load(dataset)
        assert "\n" not in str(err.value) and str(dataset_file(dataset)) in str(err.value)
        with pytest.raises(InputError):
            set_fields(dataset, "v00_clip", state="done")
        assert dataset_file(dataset).read_bytes() == data  # untouched


def test_bad_entries_are_reported_left_out_and_kept_verbatim(dataset):
    doc = json.loads(dataset_file(dataset).read_text())
    good = doc["videos"]
    doc["videos"] = [good[0], "nonsense", {**good[1], "state": "finished"}, {**good[2], "name": "a/b"},
                     {**good[3], "project": "x.txt"}, {**good[4], "name": good[0]["name"]}, {"name": "lonely"}, good[4] | {"name": "v04b"}]
    write_doc(dataset, doc)
    ds = load(dataset)
    assert ds.names() == ["v00_clip", "v04b"]
    assert len(ds.problems) == 6 and all("left out" in p for p in ds.problems)
    assert any("'finished' is not one of" in p for p in ds.problems)
    assert any("listed twice" in p for p in ds.problems)
    set_fields(dataset, "v04b", state="review")
    after = json.loads(dataset_file(dataset).read_text())["videos"]
    assert after[1:7] == doc["videos"][1:7]  # the bad items are exactly as they were
    assert after[7]["state"] == "review"


def test_set_fields_checks_names_and_states(dataset):
    with pytest.raises(StdposeError, match="no video named 'nope'"):
        set_fields(dataset, "nope", state="done")
    with pytest.raises(StdposeError, match="is not one of"):
        set_fields(dataset, "v00_clip", state="finished")
    e = set_fields(dataset, "v00_clip", state="done", assignee=" bea ")
    assert (e.state, e.assignee) == ("done", "bea") and load(dataset).entry("v00_clip").assignee == "bea"
    assert set(STATES) == {"todo", "in progress", "review", "done"}


def test_short_names_are_unique():
    root = Path("/d")
    vids = [root / "a/clip.mp4", root / "b/clip.mp4", root / "solo.mp4"]
    assert short_names(root, vids) == ["a_clip", "b_clip", "solo"]
    assert short_names(root, [root / "x.mp4"], taken={"x"}) == ["x-2"]


SET_MANY = """
import sys
from stdpose_core.dataset import set_fields
root, tag, names = sys.argv[1], sys.argv[2], sys.argv[3:]
for r in range(20):
    for n in names:
        set_fields(root, n, assignee=f"{tag}-{r}")
"""


def test_concurrent_writers_lose_nothing(dataset):
    """Two processes rewrite the file 40 times each (different videos): every last value is there."""
    names = load(dataset).names()
    procs = [subprocess.Popen([sys.executable, "-c", SET_MANY, str(dataset), tag, *group])
             for tag, group in (("p", names[:2]), ("q", names[2:4]))]
    assert [p.wait(120) for p in procs] == [0, 0]
    got = {e.name: e.assignee for e in load(dataset).entries}
    assert got[names[0]] == got[names[1]] == "p-19" and got[names[2]] == got[names[3]] == "q-19"


def test_update_without_change_does_not_rewrite(dataset):
    before = dataset_file(dataset).stat().st_mtime_ns
    assert update(dataset, lambda c: 42) == 42
    assert dataset_file(dataset).stat().st_mtime_ns == before
