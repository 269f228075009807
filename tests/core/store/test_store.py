"""The SQLite project file: round trips, refusal of bad files (untouched), crash safety."""

from __future__ import annotations

import os
import random
import signal
import sqlite3
import subprocess
import sys
import textwrap
import time

import numpy as np
import pytest

from stdpose_core.checksum import file_sha256
from stdpose_core.data import Project, Track, VideoInfo
from stdpose_core.data.edits import AddTrack, Change, DeleteTrack, MoveKeypoint, SetFrameInfo, SwapTracksFrom
from stdpose_core.errors import ProjectFileError
from stdpose_core.session import ProjectSession
from stdpose_core.skeleton import COCO17, POSETRACK18
from stdpose_core.store import sqlite_store
from stdpose_core.store.sqlite_store import ProjectStore


def project(frames: int = 600, tracks: int = 2) -> Project:
    rng = np.random.default_rng(1)
    p = Project(POSETRACK18, VideoInfo("video.mp4", frames, 640, 480, 29.97, None), keyframe_interval=5, meta={"note": "x"})
    for tid in range(tracks):
        t = Track.empty(tid, frames, 17, person_id=tid + 100, name=f"p{tid}")
        t.xy[:] = rng.uniform(0, 600, t.xy.shape)
        t.vis[:] = rng.integers(0, 3, t.vis.shape)
        t.score[:] = rng.random(t.score.shape)
        t.source[:] = rng.integers(0, 6, t.source.shape)
        t.bbox[::2] = [1, 2, 3, 4]
        t.head_bbox[::3] = [5, 6, 7, 8]
        t.reviewed[::7] = True
        p.tracks[tid] = t
    p.labeled[::4] = True
    p.ignore_regions[3] = [np.array([[0, 0], [10, 0], [10, 10]], np.float32)]
    p.model_versions.append("stdpose_vit_s@1")
    return p


def assert_same(a: Project, b: Project) -> None:
    assert a.skeleton.name == b.skeleton.name
    assert a.video == b.video
    assert a.keyframe_interval == b.keyframe_interval
    assert a.meta == b.meta and a.model_versions == b.model_versions
    assert list(a.tracks) == list(b.tracks)
    for tid in a.tracks:
        assert a.tracks[tid].equals(b.tracks[tid])
    assert np.array_equal(a.labeled, b.labeled)
    assert set(a.ignore_regions) == set(b.ignore_regions)


def test_create_and_open_round_trip(tmp_path):
    p = project()
    ProjectStore.create(tmp_path / "a.stdpose", p).close()
    store, q = ProjectStore.open(tmp_path / "a.stdpose")
    assert_same(p, q)
    assert store.integrity_check() == "ok"
    store.close()


def test_every_applied_edit_is_in_the_file(tmp_path):
    s = ProjectSession.create(tmp_path / "a.stdpose", project())
    s.apply(MoveKeypoint(s.project, 0, 300, 5, (1.5, 2.5)))
    s.apply(SwapTracksFrom(0, 1, 400))
    s.apply(AddTrack(s.project.new_track()))
    s.apply(DeleteTrack(1))
    s.apply(SetFrameInfo(10, labeled=np.array([True, False]), ignore_regions={11: [np.zeros((3, 2), np.float32)]}))
    expected = s.project
    reopened = ProjectSession.open(tmp_path / "a.stdpose", mode="read")  # second connection, while the first is open
    assert_same(expected, reopened.project)
    assert reopened.store.edit_count() == 5
    s.close()
    reopened.close()


def test_undo_is_persisted_too(tmp_path):
    s = ProjectSession.create(tmp_path / "a.stdpose", project())
    before = s.project.tracks[0].copy()
    e = MoveKeypoint(s.project, 0, 10, 5, (1, 1))
    s.apply(e)
    s.revert(e)
    s.close()
    r = ProjectSession.open(tmp_path / "a.stdpose")
    assert r.project.tracks[0].equals(before)
    r.close()


def test_create_refuses_to_overwrite(tmp_path):
    path = tmp_path / "a.stdpose"
    path.write_text("precious")
    with pytest.raises(ProjectFileError, match="already exists"):
        ProjectStore.create(path, project(10))
    assert path.read_text() == "precious"


@pytest.mark.parametrize(
    "content, message",
    [
        (b"", "not a STDPose project"),
        (b"hello, this is not a database" * 10, "not a STDPose project"),
    ],
)
def test_non_sqlite_files_are_refused(tmp_path, content, message):
    path = tmp_path / "x.stdpose"
    path.write_bytes(content)
    with pytest.raises(ProjectFileError, match=message):
        ProjectStore.open(path)
    assert path.read_bytes() == content


def test_missing_file(tmp_path):
    with pytest.raises(ProjectFileError, match="no such project file"):
        ProjectStore.open(tmp_path / "nope.stdpose")


def test_other_sqlite_database_is_refused_untouched(tmp_path):
    path = tmp_path / "other.stdpose"
    con = sqlite3.connect(path)
    con.execute("CREATE TABLE t (x)")
    con.commit()
    con.close()
    before = file_sha256(path)
    with pytest.raises(ProjectFileError, match="not a STDPose project"):
        ProjectStore.open(path)
    assert file_sha256(path) == before


def test_newer_version_is_refused_untouched(tmp_path):
    path = tmp_path / "new.stdpose"
    ProjectStore.create(path, project(10)).close()
    con = sqlite3.connect(path)
    con.execute(f"PRAGMA user_version={sqlite_store.SCHEMA_VERSION + 1}")
    con.commit()
    con.close()
    before = file_sha256(path)
    with pytest.raises(ProjectFileError, match="newer"):
        ProjectStore.open(path)
    assert file_sha256(path) == before


def test_corrupt_file_is_refused(tmp_path):
    path = tmp_path / "bad.stdpose"
    ProjectStore.create(path, project(2000, 3)).close()
    data = bytearray(path.read_bytes())
    # Keep the header (so it still looks like SQLite) and scribble over the pages.
    for i in range(4096, len(data), 7):
        data[i] = (data[i] * 31 + 7) % 256
    path.write_bytes(bytes(data))
    with pytest.raises(ProjectFileError, match="damaged|not a STDPose"):
        ProjectStore.open(path)


def test_migration_hook_runs_for_older_files(tmp_path, monkeypatch):
    path = tmp_path / "old.stdpose"
    ProjectStore.create(path, project(10)).close()
    con = sqlite3.connect(path)
    con.execute("PRAGMA user_version=0")
    con.commit()
    con.close()
    calls = []
    monkeypatch.setitem(sqlite_store.MIGRATIONS, 0, lambda conn: calls.append(conn))
    store, _ = ProjectStore.open(path)
    store.close()
    assert len(calls) == 1
    con = sqlite3.connect(path)
    assert con.execute("PRAGMA user_version").fetchone()[0] == sqlite_store.SCHEMA_VERSION
    con.close()


def test_skeleton_and_settings_persist(tmp_path):
    p = Project(COCO17, VideoInfo("frames", 5, 10, 10, frame_names=[f"{i}.jpg" for i in range(5)]))
    s = ProjectSession.create(tmp_path / "c.stdpose", p)
    s.project.keyframe_interval = 11
    s.project.meta["view"] = {"frame": 3}
    s.save_settings()
    s.close()
    r = ProjectSession.open(tmp_path / "c.stdpose")
    assert r.project.skeleton is COCO17 and r.project.keyframe_interval == 11
    assert r.project.meta["view"] == {"frame": 3}
    assert r.project.video.frame_names[4] == "4.jpg"
    r.close()


WRITER = textwrap.dedent(
    """
    import sys
    from stdpose_core.data.edits import MoveKeypoint
    from stdpose_core.session import ProjectSession
    s = ProjectSession.open(sys.argv[1])
    for i in range(100000):
        f, j = i % s.project.num_frames, i % 17
        s.apply(MoveKeypoint(s.project, 0, f, j, (float(i), float(i) + 0.5)))
        print(i, flush=True)  # reported only after the commit returned
    """
)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_sigkill_mid_edits_loses_nothing_committed(tmp_path, seed):
    path = tmp_path / "crash.stdpose"
    ProjectStore.create(path, project(300, 1)).close()
    proc = subprocess.Popen([sys.executable, "-c", WRITER, str(path)], stdout=subprocess.PIPE, text=True)
    rng = random.Random(seed)
    deadline = time.monotonic() + rng.uniform(0.8, 2.5)
    reported = -1
    while time.monotonic() < deadline:
        line = proc.stdout.readline()
        if not line:
            break
        reported = int(line)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    assert reported >= 0, "the writer never committed anything"
    store, q = ProjectStore.open(path)
    assert store.integrity_check() == "ok"
    t = q.tracks[0]
    # Every reported edit is there: joint (i % F, i % 17) holds the last value written to it.
    n = q.num_frames
    for i in range(max(0, reported - 5 * n * 17), reported + 1):
        last = max(k for k in range(i, reported + 1) if k % n == i % n and k % 17 == i % 17)
        assert t.xy[i % n, i % 17, 0] >= last
    assert store.edit_count() >= reported + 1
    store.close()


def test_session_as_context_manager_closes_the_file(tmp_path):
    ProjectStore.create(tmp_path / "a.stdpose", project(10)).close()
    with ProjectSession.open(tmp_path / "a.stdpose") as s:
        assert s.store.edit_count() == 0
    with pytest.raises(sqlite3.ProgrammingError):
        s.store.edit_count()  # closed on leaving the block


def test_a_version_1_file_gains_person_flags(tmp_path):
    """Files from before per-frame person flags open with no flags and keep every other array."""
    path = tmp_path / "v1.stdpose"
    p = project(300, 2)
    ProjectStore.create(path, p).close()
    con = sqlite3.connect(path)
    con.execute("ALTER TABLE chunks DROP COLUMN flags")  # the version 1 schema
    con.execute("PRAGMA user_version=1")
    con.commit()
    con.close()
    store, q = ProjectStore.open(path)
    try:
        for tid, t in p.tracks.items():
            assert q.tracks[tid].equals(t) and not q.tracks[tid].flags.any()
        q.tracks[0].flags[5] = 2
        store.commit(q, Change(frozenset({0}), 5, 6))
    finally:
        store.close()
    store, r = ProjectStore.open(path)
    store.close()
    assert r.tracks[0].flags[5] == 2 and sqlite3.connect(path).execute("PRAGMA user_version").fetchone()[0] == 2
