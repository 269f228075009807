"""Two writers racing for one project: lost and mixed updates (target 0), and how fast the loser is told.

    .venv/bin/python benchmarks/bench_two_writers.py [--races 200] [--edits 20] [--without-lock 20]

Each race starts two writer processes at the same instant on a fresh project
(``tests/core/store/two_writers.py``): both read a shared counter, write it back plus one and record
which writer saw which value, ``--edits`` times each; a writer refused because the other holds the
write lock retries until it gets it. Afterwards the file must hold exactly the acknowledged edits.
``--without-lock N`` runs N more races with the write lock switched off, to show what the check
catches (the behaviour before the lock).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "tests" / "core" / "store"))

import two_writers  # noqa: E402


def run(races: int, edits: int, lock: bool, tmp: Path) -> dict:
    env = dict(os.environ, PYTHONPATH=str(REPO))
    if not lock:
        env["TWO_WRITERS_NO_LOCK"] = "1"
    lost = mixed = errors = busy = bad_races = 0
    refusal_ms: list[float] = []
    t0 = time.monotonic()
    for i in range(races):
        path = two_writers.make_project(tmp / f"{'lock' if lock else 'nolock'}-{i}.stdpose")
        got = two_writers.race(path, edits, env=env)
        errors += len(got["errors"])
        lo, mi = two_writers.check(path, got["acks"])
        lost, mixed = lost + lo, mixed + mi
        bad_races += (lo + mi) > 0
        busy += len(got["busy"])
        refusal_ms += [1000 * b["busy"] for b in got["busy"]]
        if (i + 1) % 50 == 0:
            print(f"  {'with' if lock else 'without'} lock: {i + 1} races, lost {lost}, mixed {mixed} "
                  f"({time.monotonic() - t0:.0f} s)", flush=True)
    return {"races": races, "acked": 2 * edits * races, "lost": lost, "mixed": mixed, "bad_races": bad_races,
            "errors": errors, "busy": busy, "refusal_ms": refusal_ms}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--races", type=int, default=200)
    ap.add_argument("--edits", type=int, default=20, help="edits per writer per race")
    ap.add_argument("--without-lock", type=int, default=20, metavar="N", help="races with the lock switched off")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-two-writers-") as tmp:
        rows = [("write lock (this version)", run(args.races, args.edits, True, Path(tmp)))]
        if args.without_lock:
            rows.append(("no lock (before)", run(args.without_lock, args.edits, False, Path(tmp))))
    print(f"\n{'':<28}{'races':>6}{'edits acked':>13}{'lost':>7}{'mixed':>7}{'races hit':>11}{'busy refusals':>15}"
          f"{'refusal p50/max ms':>20}{'errors':>8}")
    for name, r in rows:
        ms = r["refusal_ms"]
        timing = f"{statistics.median(ms):.1f}/{max(ms):.1f}" if ms else "-"
        print(f"{name:<28}{r['races']:>6}{r['acked']:>13}{r['lost']:>7}{r['mixed']:>7}{r['bad_races']:>11}"
              f"{r['busy']:>15}{timing:>20}{r['errors']:>8}")


if __name__ == "__main__":
    main()
