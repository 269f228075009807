"""SIGKILL a writer mid-edit, again and again: edits lost (target 0), and no stale write lock.

    .venv/bin/python benchmarks/bench_kill.py [--kills 300] [--seed 0]

One project file for the whole run. Each round starts a writer process that opens the project (taking
the write lock: a lock left by the previous, killed writer must not be in the way), then applies
``MoveKeypoint`` edits as fast as it can, printing each edit's number after ``apply`` returned (= the
edit is committed). After a random 0.2-1.5 s the writer is SIGKILLed. The file is then checked: SQLite
integrity, every reported edit's joint holds that edit's value or a later one of the same round, and
the edit log grew by at least the number reported. Prints one line per 50 kills and the totals.
"""

from __future__ import annotations

import argparse
import os
import random
import signal
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from stdpose_core.data import Project, Track, VideoInfo  # noqa: E402
from stdpose_core.session import ProjectSession  # noqa: E402
from stdpose_core.skeleton import POSETRACK18  # noqa: E402
from stdpose_core.store import ProjectStore, read_holder  # noqa: E402

FRAMES = 300
WRITER = textwrap.dedent("""
    import sys
    from stdpose_core.data.edits import MoveKeypoint
    from stdpose_core.session import ProjectSession
    s = ProjectSession.open(sys.argv[1], command="bench_kill writer")
    base = float(sys.argv[2])
    print("open", flush=True)
    for i in range(10**9):
        f, j = i % s.project.num_frames, i % 17
        s.apply(MoveKeypoint(s.project, 0, f, j, (base + i, 0.5)))
        print(i, flush=True)  # reported only after the commit returned
""")


def check(path: Path, base: float, reported: int, edits_before: int) -> tuple[int, str, int]:
    """``(lost edits, integrity, edit_count)`` after a kill that reported edits ``0..reported``."""
    store, project = ProjectStore.open(path, write=False)
    try:
        integrity = store.integrity_check()
        count = store.edit_count()
        t = project.tracks[0]
        lost = 0
        for i in range(max(0, reported - 17 * FRAMES), reported + 1):
            # the last edit of this round to joint (i % F, i % 17) that was reported
            last = max(k for k in range(i, reported + 1) if k % FRAMES == i % FRAMES and k % 17 == i % 17)
            lost += t.xy[i % FRAMES, i % 17, 0] < base + last
        lost += max(0, edits_before + reported + 1 - count)
    finally:
        store.close()
    return int(lost), integrity, count


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--kills", type=int, default=300)
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()
    rng = random.Random(args.seed)
    env = dict(os.environ, PYTHONPATH=str(REPO))
    total_lost = total_reported = bad_integrity = stale = 0
    t_start = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="bench-kill-") as tmp:
        path = Path(tmp) / "killed writer.stdpose"
        p = Project(POSETRACK18, VideoInfo("video.mp4", FRAMES, 640, 480, 30.0))
        p.tracks[0] = Track.empty(0, FRAMES, 17)
        ProjectSession.create(path, p).close()
        edits = 0
        for k in range(1, args.kills + 1):
            base = k * 1e6
            proc = subprocess.Popen([sys.executable, "-c", WRITER, str(path), repr(base)], stdout=subprocess.PIPE,
                                    stderr=subprocess.PIPE, text=True, env=env)
            first = proc.stdout.readline().strip()
            if first != "open":  # the previous writer's lock was in the way (or the writer crashed)
                stale += 1
                proc.kill()
                proc.wait()
                print(f"kill {k}: writer did not open: {proc.stderr.read().strip()[-300:]}")
                continue
            deadline = time.monotonic() + rng.uniform(0.2, 1.5)
            reported = -1
            while time.monotonic() < deadline:
                line = proc.stdout.readline()
                if not line:
                    break
                reported = int(line)
            os.kill(proc.pid, signal.SIGKILL)
            proc.wait()
            lost, integrity, count = check(path, base, reported, edits)
            if read_holder(path) is not None:
                stale += 1
            edits = count
            total_lost += lost
            total_reported += reported + 1
            bad_integrity += integrity != "ok"
            if k % 50 == 0 or k == args.kills:
                print(f"kills {k:4d}: edits reported {total_reported:7d}, lost {total_lost}, "
                      f"integrity failures {bad_integrity}, stale locks {stale}  ({time.monotonic() - t_start:.0f} s)",
                      flush=True)
    print(f"\n{args.kills} SIGKILLs: {total_reported} acknowledged edits, {total_lost} lost, "
          f"{bad_integrity} integrity failures, {stale} times the next writer found a stale lock")


if __name__ == "__main__":
    main()
