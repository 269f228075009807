"""Two writer processes racing for one project (used by test_lock.py and benchmarks/bench_two_writers.py).

Each writer waits for a common start time, opens the project for writing (retrying while the other
one holds it), and applies ``n`` edits that each read a shared counter (track 0, frame 0, joint 0, x)
and write it back plus one, and record ``(writer, counter)`` on frame ``counter`` joint 16. It prints
one JSON line per acknowledged edit (after ``apply`` returned) and one per "busy" refusal.

:func:`check` then reads the file: no lost update means the counter equals the number of
acknowledged edits; no mixed state means the journal holds exactly the acknowledged edits, in order.

    python two_writers.py worker PROJECT WRITER_ID N START_TIME
"""

from __future__ import annotations

import json
import os
import random
import subprocess
import sys
import time
from pathlib import Path

FRAMES = 600  # three 256-frame chunks: a writer from a stale copy rewrites whole chunks
JOURNAL_JOINT = 16


def make_project(path: Path) -> Path:
    from stdpose_core.data import Project, Track, VideoInfo
    from stdpose_core.session import ProjectSession
    from stdpose_core.skeleton import POSETRACK18

    p = Project(POSETRACK18, VideoInfo("video.mp4", FRAMES, 640, 480, 30.0))
    p.tracks[0] = Track.empty(0, FRAMES, 17)
    ProjectSession.create(path, p).close()
    return path


def worker(path: str, writer: int, n: int, start: float) -> None:
    from stdpose_core.data.edits import MoveKeypoint
    from stdpose_core.session import ProjectSession
    from stdpose_core.store.lock import ProjectBusyError

    if os.environ.get("TWO_WRITERS_NO_LOCK"):  # the 'before' of the benchmark: no write lock at all
        from stdpose_core.store import sqlite_store

        sqlite_store.ProjectStore._take_lock = staticmethod(lambda path, command: None)
    rng = random.Random(writer * 7919 + int(start * 1000))
    time.sleep(max(0.0, start - time.time()))
    while True:
        t0 = time.perf_counter()
        try:
            s = ProjectSession.open(path, mode="write", command=f"writer {writer}")
            break
        except ProjectBusyError as exc:
            print(json.dumps({"busy": time.perf_counter() - t0, "message": str(exc)}), flush=True)
            time.sleep(rng.uniform(0.005, 0.03))
    with s:
        for _ in range(n):
            track = s.project.tracks[0]
            c = int(round(float(track.xy[0, 0, 0])))
            s.apply(MoveKeypoint(s.project, 0, 0, 0, (float(c + 1), 0.0)))
            s.apply(MoveKeypoint(s.project, 0, c + 1, JOURNAL_JOINT, (float(writer), float(c + 1))))
            print(json.dumps({"ack": [writer, c + 1]}), flush=True)
            if rng.random() < 0.3:
                time.sleep(rng.uniform(0, 0.003))


def race(path: Path, n: int, python: str = sys.executable, env: dict | None = None) -> dict:
    """Run two writers on ``path`` at the same instant; returns what they printed, per writer."""
    start = time.time() + 0.4
    procs = [subprocess.Popen([python, __file__, "worker", str(path), str(w), str(n), repr(start)],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env) for w in (1, 2)]
    out = {"acks": [], "busy": [], "errors": []}
    for p in procs:
        stdout, stderr = p.communicate(timeout=120)
        for line in stdout.splitlines():
            rec = json.loads(line)
            if "ack" in rec:
                out["acks"].append(tuple(rec["ack"]))
            else:
                out["busy"].append(rec)
        if p.returncode != 0:
            out["errors"].append(stderr.strip().splitlines()[-1] if stderr.strip() else f"exit {p.returncode}")
    return out


def check(path: Path, acks: list[tuple[int, int]]) -> tuple[int, int]:
    """``(lost, mixed)`` for the file at ``path`` given the acknowledged edits."""
    from stdpose_core.session import ProjectSession

    with ProjectSession.open(path, mode="read") as s:
        t = s.project.tracks[0]
        counter = int(round(float(t.xy[0, 0, 0])))
        journal = {int(round(float(t.xy[f, JOURNAL_JOINT, 1]))): int(round(float(t.xy[f, JOURNAL_JOINT, 0])))
                   for f in range(1, FRAMES) if t.xy[f, JOURNAL_JOINT, 1] > 0}
    acked = dict((c, w) for w, c in acks)
    lost = max(0, len(acks) - counter) + sum(1 for c, w in acked.items() if journal.get(c) != w)
    mixed = int(len(acked) != len(acks))  # two acknowledged edits claimed the same counter value
    mixed += sum(1 for c in journal if c not in acked) + (counter != len(acks) and counter > len(acks))
    return lost, mixed


if __name__ == "__main__":
    if sys.argv[1] == "worker":
        worker(sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), float(sys.argv[5]))
