"""Annotation effort of the simulated annotator (``stdpose simulate-annotator``) per keyframe interval T.

    .venv/bin/python benchmarks/bench_annotator.py [--quick] [--method flow] [--clips N] [--json OUT]

For T in {5, 7, 10, 15, 20, 30} and the strategies naive, smart and app (what the editor does after
each correction), effort = (keyframe joints + fixed joints) / all joints, pooled over

* generated clips (``stdpose_core.synth.generate_clip``: 3 people, 90 frames, 480x270, seeds 11-14), and
* the JHMDB ``val`` clips of ``models/splits/jhmdb.json`` (``../shared/data/jhmdb``; skipped when absent;
  never tuned on: ``train`` is for training and calibration).

Frames are decoded once per clip and held in memory. Prints one table per data set.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from stdpose_core.ops.simulate import STRATEGIES, Effort, simulate_job  # noqa: E402
from stdpose_core.progress import run_to_completion  # noqa: E402
from stdpose_core.propagation import ListSource, get_propagator  # noqa: E402

INTERVALS = (5, 7, 10, 15, 20, 30)
SHARED = Path(os.environ.get("STDPOSE_SHARED_DATA", REPO.parent / "shared" / "data"))
if not SHARED.is_dir():
    SHARED = Path("/work/shared/data")


def synth_clips(n: int):
    from stdpose_core.synth import generate_clip

    for seed in range(11, 11 + n):
        clip = generate_clip(persons=3, frames=90, size=(480, 270), seed=seed)
        yield f"synth-{seed}", clip.gt, ListSource(clip.frames)


def jhmdb_clips(n: int | None):
    from stdpose_core.io import read_annotations
    from stdpose_core.video import open_source

    split = json.loads((REPO / "models" / "splits" / "jhmdb.json").read_text())["val"]
    root = SHARED / "jhmdb"
    if not root.is_dir():
        print(f"(JHMDB skipped: {root} absent)")
        return
    for name in split[:n]:
        gt = read_annotations(root / f"{name}.json")
        with open_source(root / f"{name}.avi") as src:
            frames = [src.frame(i) for i in range(min(len(src), gt.num_frames))]
        if len(frames) < gt.num_frames:
            continue
        yield name, gt, ListSource(frames)


def run(clips, method: str, intervals, strategies) -> dict:
    """``{T: {strategy: Effort pooled over clips}}`` plus seconds."""
    prop = get_propagator(method)
    pooled = {T: {s: Effort(s, T) for s in strategies} for T in intervals}
    n = 0
    for _name, gt, src in clips:
        n += 1
        for T in intervals:
            if gt.num_frames < T + 2:
                continue
            for s in strategies:
                r = run_to_completion(simulate_job(gt, src, T, prop, s))
                p = pooled[T][s]
                for f in ("keyframe_joints", "fixed_joints", "refixed_joints", "all_joints", "repropagations"):
                    setattr(p, f, getattr(p, f) + getattr(r, f))
    return {"clips": n, "pooled": pooled}


def table(title: str, result: dict, strategies) -> str:
    lines = [f"{title}: {result['clips']} clips; effort % = (keyframe + fixed joints) / all joints"]
    lines.append(f"{'T':>4}" + "".join(f"{s:>9}" for s in strategies) + f"{'app-smart':>11}{'app refixed':>13}")
    for T, row in result["pooled"].items():
        cells = "".join(f"{100 * row[s].effort:>9.1f}" for s in strategies)
        gap = 100 * (row["app"].effort - row["smart"].effort) if "app" in row and "smart" in row else float("nan")
        refixed = row["app"].refixed_joints if "app" in row else 0
        lines.append(f"{T:>4}{cells}{gap:>+11.1f}{refixed:>13}")
    return "\n".join(lines)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="2 generated clips, 10 JHMDB clips, T in {7, 15}")
    ap.add_argument("--method", default="flow")
    ap.add_argument("--clips", type=int, help="JHMDB val clips to use (default all 100)")
    ap.add_argument("--synth", type=int, default=4, help="generated clips (default 4)")
    ap.add_argument("--only", choices=("synth", "jhmdb"), help="one data set only")
    ap.add_argument("--json", help="also write the figures to this file")
    args = ap.parse_args()
    intervals = (7, 15) if args.quick else INTERVALS
    n_synth, n_jhmdb = (2, 10) if args.quick else (args.synth, args.clips)
    out = {}
    for name, clips in (("synth", lambda: synth_clips(n_synth)), ("jhmdb", lambda: jhmdb_clips(n_jhmdb))):
        if args.only and args.only != name:
            continue
        t0 = time.perf_counter()
        res = run(clips(), args.method, intervals, STRATEGIES)
        if not res["clips"]:
            continue
        print(table(f"{name} ({args.method})", res, STRATEGIES))
        print(f"({time.perf_counter() - t0:.0f} s)\n", flush=True)
        out[name] = {"clips": res["clips"], "method": args.method,
                     "effort": {T: {s: e.as_dict() for s, e in row.items()} for T, row in res["pooled"].items()}}
    if args.json:
        Path(args.json).write_text(json.dumps(out, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
