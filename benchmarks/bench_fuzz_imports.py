"""Fuzzed annotation imports through ``stdpose import``: tracebacks (target 0) over >= 10,000 files.

    .venv/bin/python benchmarks/bench_fuzz_imports.py [--n 10000] [--seed 0]

Valid PoseTrack18, PoseTrack21 and COCO exports are damaged at random
(``tests/core/io/fuzz_imports.py``: junk values, 2**70 track ids, dropped keys, duplicated items,
scribbled bytes...) and imported into a project with the real command. Counts: accepted, rejected
with one line naming the file, tracebacks (anything else), and rejected imports that changed the
project file (target 0). Shows a few examples of each kind of message.
"""

from __future__ import annotations

import argparse
import collections
import random
import re
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "tests" / "core" / "io"))

from fuzz_imports import KINDS, base_documents, import_once, mutate, target_projects  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=10_000)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--examples", type=int, default=8, help="distinct rejection messages to show")
    args = ap.parse_args()
    rng = random.Random(args.seed)
    counts: collections.Counter = collections.Counter()
    by_kind: dict[str, collections.Counter] = {k: collections.Counter() for k in KINDS}
    tracebacks: list[str] = []
    messages: dict[str, str] = {}
    t0 = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="bench-fuzz-") as tmp:
        tmp = Path(tmp)
        docs, templates = base_documents(tmp), target_projects(tmp)
        work = tmp / "work"
        work.mkdir()
        for i in range(args.n):
            kind = KINDS[i % len(KINDS)]
            r = import_once(templates[kind], mutate(rng, docs[kind]), work)
            counts[r["outcome"]] += 1
            by_kind[kind][r["outcome"]] += 1
            counts["changed"] += r["changed"]
            if r["outcome"] == "traceback":
                tracebacks.append(f"{kind}: {r['detail']}")
            elif r["outcome"] == "rejected":
                key = re.sub(r"\d+", "N", r["detail"].split(": ", 2)[-1])[:40]
                messages.setdefault(key, r["detail"].replace(str(work) + "/", ""))
            if (i + 1) % 2000 == 0:
                print(f"  {i + 1} imports: {dict(counts)} ({time.monotonic() - t0:.0f} s)", flush=True)
    print(f"\n{args.n} fuzzed imports (seed {args.seed}) in {time.monotonic() - t0:.0f} s")
    print(f"{'kind':<14}{'accepted':>10}{'rejected':>10}{'tracebacks':>12}")
    for kind in KINDS:
        c = by_kind[kind]
        print(f"{kind:<14}{c['accepted']:>10}{c['rejected']:>10}{c['traceback']:>12}")
    print(f"{'all':<14}{counts['accepted']:>10}{counts['rejected']:>10}{counts['traceback']:>12}")
    print(f"rejected imports that changed the project file: {counts['changed']}")
    print(f"distinct rejection messages: {len(messages)}; e.g.")
    for msg in list(messages.values())[: args.examples]:
        print(f"  {msg[:150]}")
    for line in tracebacks[:10]:
        print(f"  TRACEBACK {line}")


if __name__ == "__main__":
    main()
