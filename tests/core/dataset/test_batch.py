"""Batch jobs over a dataset: resumable (also after SIGKILL), sharded (every video exactly once), one
line per failing video while the others go on, and the same results in a process pool."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from stdpose_core.checksum import file_sha256
from stdpose_core.dataset import batch_job, dataset_status, load, parse_shard, shard_of
from stdpose_core.dataset.runners import PoolRunner, SerialRunner
from stdpose_core.errors import StdposeError
from stdpose_core.progress import Progress, run_to_completion
from stdpose_core.session import ProjectSession

FLOW = {"method": "flow"}


def run(root, job="propagate", params=FLOW, **kw):
    steps = []
    result = run_to_completion(batch_job(root, job, params, **kw), steps.append)
    return result, steps


def statuses(result) -> dict[str, str]:
    return {o.name: o.status for o in result.outcomes}


def test_propagate_all_then_skip_then_redo_edited(dataset):
    result, steps = run(dataset)
    assert set(statuses(result).values()) == {"done"} and len(result.outcomes) == 5
    assert all(isinstance(s, Progress) and s.total == 5 for s in steps)
    assert steps[-1].done == 5 and "v04_clip: done" in steps[-1].message
    rows = {r.name: r for r in dataset_status(dataset)[0]}
    assert all(r.propagated == 12 for r in rows.values())  # every frame between the keyframes
    assert all("propagate" in r.jobs for r in rows.values())
    again, _ = run(dataset)
    assert set(statuses(again).values()) == {"skipped"}
    # An annotator edits one video: only that one runs again; --force runs all.
    with ProjectSession.open(dataset / "v02/clip.stdpose") as s:
        from stdpose_core.project_ops import keep_keyframes_every

        s.apply(keep_keyframes_every(s.project, 14))
    third, _ = run(dataset)
    assert statuses(third) == {**{f"v0{i}_clip": "skipped" for i in range(5)}, "v02_clip": "done"}
    forced, _ = run(dataset, force=True)
    assert set(statuses(forced).values()) == {"done"}
    other_method, _ = run(dataset, params={"method": "interp"})  # other parameters: another job
    assert set(statuses(other_method).values()) == {"done"}


def test_batch_resumes_after_sigkill_and_skips_finished_videos(dataset):
    env = {**os.environ, "OMP_WAIT_POLICY": "PASSIVE"}
    cmd = [sys.executable, "-m", "stdpose_core.cli.main", "dataset", "propagate", str(dataset), "--method", "flow"]
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    records = Path(dataset, ".stdpose-dataset", "jobs")
    deadline = time.monotonic() + 240
    try:
        while time.monotonic() < deadline and proc.poll() is None:
            if records.is_dir() and any(records.rglob("*.json")):
                break
            time.sleep(0.005)
        assert proc.poll() is None, "the batch ended before it could be killed"
        os.kill(proc.pid, signal.SIGKILL)
    finally:
        proc.wait(30)
    assert proc.returncode == -signal.SIGKILL
    finished = sorted(p.stem for p in records.rglob("*.json"))
    assert 1 <= len(finished) < 5
    for e in load(dataset).entries:  # every project (the one being written too) is whole
        with ProjectSession.open(e.project_path(dataset)) as s:
            assert s.store.integrity_check() == "ok"
    result, _ = run(dataset)
    got = statuses(result)
    assert sorted(n for n, s in got.items() if s == "skipped") == finished
    assert sorted(n for n, s in got.items() if s == "done") == sorted(set(got) - set(finished))


def test_shards_cover_every_video_exactly_once(dataset, tmp_path):
    out = tmp_path / "pt"
    params = {"format": "posetrack18", "output": str(out)}
    done = []
    for i in range(3):
        result, _ = run(dataset, "export", params, shard=(i, 3))
        done += [o.name for o in result.outcomes]
        assert set(statuses(result).values()) <= {"done"}
    assert sorted(done) == sorted(load(dataset).names())  # each once, none left out
    assert sorted(p.stem for p in out.glob("*.json")) == sorted(done)
    whole, _ = run(dataset, "export", params)
    assert set(statuses(whole).values()) == {"skipped"}


@pytest.mark.parametrize("n", [1, 2, 3, 7])
def test_shard_split_is_a_partition_and_stable(n):
    names = [f"video{i:03d}" for i in range(200)]
    shards = [[x for x in names if shard_of(x, n) == i] for i in range(n)]
    assert sorted(sum(shards, [])) == names
    more = names + [f"new{i}" for i in range(50)]
    assert all(shard_of(x, n) == shard_of(x, n) for x in more)  # a video's shard never depends on the others
    assert parse_shard(f"{n - 1}/{n}") == (n - 1, n)


@pytest.mark.parametrize("bad", ["1/1", "-1/3", "3/3", "a/b", "2", "0/0"])
def test_bad_shard_is_one_line(bad):
    with pytest.raises(StdposeError, match="--shard"):
        parse_shard(bad)


def test_one_bad_video_is_one_line_and_the_others_go_on(dataset):
    (dataset / "v01/clip.mp4").write_bytes(b"not a video any more" * 500)  # unreadable
    (dataset / "v02/clip.stdpose").unlink()
    from stdpose_core.project_ops import create_project

    create_project(dataset / "v02/clip.stdpose", dataset / "v00/clip.mp4").close()  # a project of another video
    before = {n: file_sha256(dataset / f"{n}/clip.stdpose") for n in ("v01", "v02")}
    result, _ = run(dataset)
    got = statuses(result)
    assert got["v00_clip"] == got["v04_clip"] == "done"
    assert got["v01_clip"] == "failed" and got["v02_clip"] == "failed"
    by = {o.name: o for o in result.outcomes}
    assert "v01/clip.mp4" in by["v01_clip"].message and "\n" not in by["v01_clip"].message
    assert "is a project of" in by["v02_clip"].message and "v00/clip.mp4" in by["v02_clip"].message
    assert {n: file_sha256(dataset / f"{n}/clip.stdpose") for n in before} == before  # nothing written
    assert [o.name for o in result.failed] == ["v01_clip", "v02_clip"]
    jobs = {r.name: r.jobs for r in dataset_status(dataset)[0]}
    assert "propagate" in jobs["v00_clip"] and "propagate" not in jobs["v01_clip"]  # failures leave no record
    again, _ = run(dataset)
    assert statuses(again)["v00_clip"] == "skipped" and statuses(again)["v01_clip"] == "failed"


def test_video_with_no_keyframes_is_not_ready(dataset):
    with ProjectSession.open(dataset / "v03/clip.stdpose") as s:
        from stdpose_core.data.edits import DeleteTrack

        for tid in list(s.project.tracks):
            s.apply(DeleteTrack(tid))
    result, _ = run(dataset, only=["v03_clip", "v04_clip"])
    assert statuses(result) == {"v03_clip": "not ready", "v04_clip": "done"}
    assert not result.failed


def test_leave_out_the_project_open_in_the_editor(dataset):
    result, _ = run(dataset, leave_out={dataset / "v00/clip.stdpose"})
    assert statuses(result)["v00_clip"] == "busy" and "open in this editor" in result.outcomes[0].message


def test_select_by_name_and_state(dataset):
    from stdpose_core.dataset import set_fields

    set_fields(dataset, "v01_clip", state="done")
    set_fields(dataset, "v03_clip", state="done")
    result, _ = run(dataset, "export", {"format": "posetrack18", "output": str(dataset / "out")}, states=["done"])
    assert [o.name for o in result.outcomes] == ["v01_clip", "v03_clip"]
    with pytest.raises(StdposeError, match="no video named 'zz'"):
        run(dataset, only=["zz"])


def test_two_writers_the_second_reports_busy_and_the_others_go_on(dataset):
    hold = ("import sys, time\nfrom stdpose_core.dataset.locks import open_to_write\n"
            "s = open_to_write(sys.argv[1]); print('held', flush=True); time.sleep(120)")
    holder = subprocess.Popen([sys.executable, "-c", hold, str(dataset / "v01/clip.stdpose")], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "held"
        before = file_sha256(dataset / "v01/clip.stdpose")
        result, _ = run(dataset)
        got = statuses(result)
        assert got["v01_clip"] == "busy" and all(s == "done" for n, s in got.items() if n != "v01_clip")
        line = next(o for o in result.outcomes if o.name == "v01_clip").message
        assert f"process {holder.pid}" in line
        rows = {r.name: r for r in dataset_status(dataset)[0]}
        assert f"process {holder.pid}" in rows["v01_clip"].holder and rows["v00_clip"].holder is None
        assert file_sha256(dataset / "v01/clip.stdpose") == before
    finally:
        holder.kill()
        holder.wait(10)
    result, _ = run(dataset)
    assert statuses(result)["v01_clip"] == "done"


def exported(folder: Path) -> dict[str, dict]:
    return {p.stem: json.loads(p.read_text()) for p in sorted(folder.glob("*.json"))}


@pytest.mark.slow
def test_pool_of_two_gives_what_one_process_gives(dataset, dataset_copy):
    twin = dataset_copy("twin")
    a, _ = run(dataset, runner=SerialRunner())
    b, _ = run(twin, runner=PoolRunner(2))
    assert set(statuses(a).values()) == set(statuses(b).values()) == {"done"}
    assert "pool of 2" in b.runner
    for root in (dataset, twin):
        run(root, "export", {"format": "posetrack18", "output": str(root / "out")})
    assert exported(dataset / "out") == exported(twin / "out")
