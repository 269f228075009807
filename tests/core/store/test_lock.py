"""One writer per project: the write lock, who holds it, read-only sessions, two writers racing."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import numpy as np
import pytest

sys.path.insert(0, str(Path(__file__).parent))

import two_writers

from stdpose_core.data.edits import MoveKeypoint
from stdpose_core.errors import ProjectFileError, ProjectReadOnlyError
from stdpose_core.session import ProjectSession
from stdpose_core.store import ProjectBusyError, ProjectLock, lock_path, read_holder

REPO = Path(__file__).resolve().parents[3]
ENV = dict(os.environ, PYTHONPATH=str(REPO))


@pytest.fixture
def project_path(tmp_path) -> Path:
    return two_writers.make_project(tmp_path / "shared project.stdpose")


def digest(path: Path) -> bytes:
    return path.read_bytes()


def test_second_writer_fails_at_once_naming_the_holder(project_path):
    with ProjectSession.open(project_path, command="stdpose propagate p.stdpose") as first:
        t0 = time.perf_counter()
        with pytest.raises(ProjectBusyError) as err:
            ProjectSession.open(project_path)
        assert time.perf_counter() - t0 < 1.0  # no busy wait for the other writer
        msg = str(err.value)
        assert str(project_path) in msg and f"process {os.getpid()}" in msg and socket.gethostname() in msg
        assert "stdpose propagate p.stdpose" in msg and "since " in msg and "\n" not in msg
        assert err.value.holder == first.store.lock.holder
    with ProjectSession.open(project_path):  # free again once closed
        pass


def test_read_holder_reports_without_taking_the_lock(project_path):
    assert read_holder(project_path) is None
    lock = ProjectLock.acquire(project_path, command="stdpose-annotate")
    holder = read_holder(project_path)
    assert holder is not None and holder.pid == os.getpid() and holder.command == "stdpose-annotate"
    assert abs(holder.since - time.time()) < 60
    for _ in range(50):  # probing never makes the real writer lose or fail to take the lock
        read_holder(project_path)
    lock.release()
    assert read_holder(project_path) is None and not lock_path(project_path).exists()
    again = ProjectLock.acquire(project_path)
    again.release()


def test_a_killed_writer_leaves_no_stale_lock(project_path):
    script = textwrap.dedent("""
        import sys, time
        from stdpose_core.session import ProjectSession
        s = ProjectSession.open(sys.argv[1], command="doomed writer")
        print("open", flush=True)
        time.sleep(60)
    """)
    proc = subprocess.Popen([sys.executable, "-c", script, str(project_path)], stdout=subprocess.PIPE, text=True, env=ENV)
    assert proc.stdout.readline().strip() == "open"
    holder = read_holder(project_path)
    assert holder is not None and holder.pid == proc.pid and holder.command == "doomed writer"
    with pytest.raises(ProjectBusyError, match=f"process {proc.pid}"):
        ProjectSession.open(project_path)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    assert lock_path(project_path).exists()  # the file stays behind, but nobody holds it
    assert read_holder(project_path) is None
    with ProjectSession.open(project_path) as s:
        s.apply(MoveKeypoint(s.project, 0, 3, 1, (5.0, 6.0)))


def test_readers_keep_working_while_someone_writes(project_path):
    with ProjectSession.open(project_path) as writer:
        writer.apply(MoveKeypoint(writer.project, 0, 5, 2, (7.0, 8.0)))
        with ProjectSession.open(project_path, mode="read") as reader:
            assert reader.read_only and reader.project.tracks[0].xy[5, 2].tolist() == [7.0, 8.0]
        writer.apply(MoveKeypoint(writer.project, 0, 6, 2, (9.0, 9.0)))  # the writer is not disturbed
    with ProjectSession.open(project_path, mode="read") as reader:
        assert reader.project.tracks[0].xy[6, 2].tolist() == [9.0, 9.0]


def test_auto_mode_opens_read_only_and_refuses_every_change(project_path):
    with ProjectSession.open(project_path, command="stdpose detect p.stdpose"):
        before = digest(project_path)
        s = ProjectSession.open(project_path, mode="auto")
        assert s.read_only and "stdpose detect p.stdpose" in s.read_only_reason and s.holder.pid == os.getpid()
        edit = MoveKeypoint(s.project, 0, 1, 1, (1.0, 1.0))
        with pytest.raises(ProjectReadOnlyError, match="read-only"):
            s.apply(edit)
        assert s.project.tracks[0].xy[1, 1].tolist() == [0.0, 0.0]  # memory untouched too
        with pytest.raises(ProjectReadOnlyError):
            s.save_settings()
        with pytest.raises(ProjectReadOnlyError):
            s.store.commit(s.project, edit.apply(s.project))
        s.close()
        assert digest(project_path) == before
    s = ProjectSession.open(project_path, mode="auto")  # nobody writes now: a writer
    assert not s.read_only and s.read_only_reason is None
    s.close()


def test_read_only_folder_opens_read_only(project_path, monkeypatch):
    folder = project_path.parent
    if os.geteuid() == 0:  # root writes into read-only folders: make the lock file uncreatable instead
        def refuse(*a, **k):
            raise PermissionError(13, "Permission denied", str(lock_path(project_path)))

        monkeypatch.setattr(ProjectLock, "acquire", classmethod(lambda cls, *a, **k: refuse()))
    folder.chmod(0o555)
    try:
        with pytest.raises(ProjectFileError, match="read-only") as err:
            ProjectSession.open(project_path)
        assert "\n" not in str(err.value)
        with ProjectSession.open(project_path, mode="auto") as s:
            assert s.read_only and "read-only" in s.read_only_reason
            assert s.project.tracks[0].num_frames == two_writers.FRAMES
    finally:
        folder.chmod(0o755)


def test_two_writers_race_loses_and_mixes_nothing(tmp_path):
    for i in range(6):
        path = two_writers.make_project(tmp_path / f"race{i}.stdpose")
        got = two_writers.race(path, n=15, env=ENV)
        assert not got["errors"], got["errors"]
        assert len(got["acks"]) == 30
        assert two_writers.check(path, got["acks"]) == (0, 0)
        assert all(b["busy"] < 1.0 and "is being edited by process" in b["message"] for b in got["busy"])


def test_without_the_lock_the_race_does_lose_updates(tmp_path):
    """The check can fail: with the lock switched off, two writers from stale copies lose edits."""
    env = dict(ENV, TWO_WRITERS_NO_LOCK="1")
    bad = 0
    for i in range(4):
        path = two_writers.make_project(tmp_path / f"nolock{i}.stdpose")
        got = two_writers.race(path, n=15, env=env)
        lost, mixed = two_writers.check(path, got["acks"])
        bad += lost + mixed > 0
    assert bad > 0


def test_create_takes_the_lock_first(tmp_path):
    from stdpose_core.data import Project, VideoInfo
    from stdpose_core.skeleton import POSETRACK18

    path = tmp_path / "new.stdpose"
    lock = ProjectLock.acquire(path, command="someone creating it")
    with pytest.raises(ProjectBusyError, match="someone creating it"):
        ProjectSession.create(path, Project(POSETRACK18, VideoInfo("v.mp4", 5, 8, 8)))
    lock.release()
    assert not path.exists()
    s = ProjectSession.create(path, Project(POSETRACK18, VideoInfo("v.mp4", 5, 8, 8)))
    assert read_holder(path).pid == os.getpid()
    s.close()
    with ProjectSession.open(path, mode="read") as r:
        assert np.all(r.project.labeled == 0)


def test_concurrent_probes_never_make_a_writer_fail(project_path):
    import threading

    stop = threading.Event()
    probes, errors = [0], []

    def probe():
        while not stop.is_set():
            try:
                read_holder(project_path)
            except Exception as exc:  # noqa: BLE001 - a probe must never fail either
                errors.append(exc)
            probes[0] += 1

    threads = [threading.Thread(target=probe) for _ in range(2)]
    for t in threads:
        t.start()
    try:
        for _ in range(200):
            ProjectLock.acquire(project_path).release()
    finally:
        stop.set()
        for t in threads:
            t.join()
    assert probes[0] > 100 and errors == []
