"""STDPose against interpolation and flow on real clips it never trained on, and its end-to-end speed.

    .venv/bin/python benchmarks/bench_stdpose.py [--clips val|tune|goalkeeping ...] [--every 7 15 30]
        [--methods interp flow stdpose adapted auto] [--weights X.pt|X.onnx] [--adapted ADAPTED.pt]
        [--adapt-steps N] [--max-clips N [--clip-offset K]] [--speed] [--json OUT.json]

Accuracy: for each clip set and keyframe interval T, ``stdpose eval-propagation``'s protocol
(``propagation.evaluation.eval_propagation``: ground truth kept on frames 0, T, 2T, ... and the last
frame, every method propagates the rest, only the frames in between are scored) on every clip, pooled
over clips weighted by scored frames. Figures: box-normalised PCK@0.2 (JHMDB has no head boxes) and
mean pixel error. Clip sets: ``val`` = the 100 JHMDB validation clips of ``models/splits/jhmdb.json``;
``tune`` = the training clips held out for design choices (``training.recipe.tune_clips``; never
report these as results); ``goalkeeping`` = ``shared/data/jhmdb_goalkeeping``.

Methods: ``interp``, ``flow``, ``stdpose`` (``--weights``, default: the shipped model), ``adapted``,
``auto`` (what 'auto' chooses with the current registry and shipped model).

``adapted`` is per-video adaptation as a user gets it (``stdpose adapt PROJECT``, then method
``stdpose``): for each clip and T the real ``training.adapt.adapt_job`` fine-tunes the ``stdpose``
weights (a ``.pt``) on the very sparse project the evaluation propagates (the ground truth on the
keyframes only: the scored frames never reach it; ``AdaptSettings()`` defaults, ``--adapt-steps``
to change the steps), in a temporary folder; the clip is then propagated with the adapted model
when adaptation kept one (it beat its base leave-one-keyframe-out), else with the base, which is
what the user then has. How many were kept and the time per adaptation are printed. With
``--adapted CKPT`` instead, ``adapted`` is that one fixed checkpoint on every clip.

``--speed``: end-to-end person-frames/s of ``stdpose`` on a generated 640x360 clip with 2 people and
keyframes every 15 frames (flow prior + model, frames decoded in memory) with the torch runtime and
onnxruntime fp32/int8, using the threads torch/onnxruntime pick by default.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(Path(__file__).parent))

import numpy as np  # noqa: E402
from jhmdb_clips import GOALKEEPING, JHMDB, SHARED_DATA, SPLIT  # noqa: E402

from stdpose_core.progress import run_to_completion  # noqa: E402
from stdpose_core.propagation.evaluation import eval_propagation  # noqa: E402


def clip_set(name: str) -> list[tuple[str, Path, Path]]:
    """``(name, annotations, frames)`` of a clip set (see the module docstring)."""
    from stdpose_core.training.recipe import split_names, tune_clips

    if name == "goalkeeping":
        return [("goalkeeping", GOALKEEPING / "gt_posetrack18.json", GOALKEEPING)]
    names = split_names(SPLIT, "val") if name == "val" else tune_clips(split_names(SPLIT, "train"))[1]
    return [(n, JHMDB / f"{n}.json", JHMDB / f"{n}.avi") for n in names]


def open_clip(ann: Path, frames: Path):
    from stdpose_core.cli.cmd_propagate import open_frames
    from stdpose_core.io import read_annotations

    gt = read_annotations(ann)
    return gt, open_frames(frames, gt.video.frame_names, prefer_names=True)


def adapt_to_clip(gt, src, every: int, base: str, steps: int | None = None) -> dict:
    """Per-video adaptation of ``base`` to one clip at keyframe interval ``every``, as ``stdpose adapt``
    runs it on the project that ``eval_propagation`` propagates (ground truth on its keyframes only),
    in a temporary folder. Returns ``{"kept", "weights" (the adapted checkpoint, or ``base`` when
    not kept), "seconds", "summary", "scores" (leave-one-keyframe-out, or None)}``; the adapted file
    lives until the process ends."""
    from stdpose_core.errors import InputError
    from stdpose_core.propagation.evaluation import keep_frames, sparse_project
    from stdpose_core.training.adapt import AdaptSettings, adapt_job

    keep = keep_frames(gt.num_frames, every)
    sparse = sparse_project(gt, keep)
    assert not any((t.vis[~keep] > 0).any() for t in sparse.tracks.values())  # scored frames never reach it
    settings = AdaptSettings(device="cpu") if steps is None else AdaptSettings(steps=steps, device="cpu")
    folder = Path(tempfile.mkdtemp(prefix="stdpose-adapted-", dir=_ADAPT_ROOT.name))
    t0 = time.perf_counter()
    try:
        res = run_to_completion(adapt_job(sparse, src, folder / "clip.stdpose", base=base, settings=settings))
    except InputError as e:  # e.g. too few keyframes: the user keeps the base model
        return {"kept": False, "weights": base, "seconds": round(time.perf_counter() - t0, 1), "summary": e.problem,
                "scores": None}
    return {"kept": res.accepted, "weights": res.path if res.accepted else base,
            "seconds": round(time.perf_counter() - t0, 1), "summary": res.summary(), "scores": res.scores}


#: Where :func:`adapt_to_clip` writes (removed when the process exits).
_ADAPT_ROOT = tempfile.TemporaryDirectory(prefix="bench-stdpose-")


def evaluate_set(clips, everys, methods: dict[str, dict], per_clip: list | None = None,
                 adaptations: list | None = None) -> dict:
    """``{T: {label: {"pck02", "mean_px", "frames", "seconds"}}}`` pooled over ``clips``; each clip's
    figures are appended to ``per_clip`` as ``{"clip", "T", "method", "pck02", "mean_px", "frames"}``.
    A method spec with ``"adapt": True`` first adapts its weights to the clip (:func:`adapt_to_clip`);
    what each adaptation did goes to ``adaptations``."""
    acc: dict = {T: {m: [0.0, 0.0, 0, 0.0] for m in methods} for T in everys}
    for name, ann, frames in clips:
        gt, src = open_clip(ann, frames)
        try:
            for T in everys:
                if gt.num_frames <= T:
                    continue
                for label, spec in methods.items():
                    opts = dict(spec.get("opts", {}))
                    if spec.get("adapt"):
                        a = adapt_to_clip(gt, src, T, opts["weights"], spec.get("steps"))
                        opts["weights"] = a["weights"]
                        if adaptations is not None:
                            adaptations.append({"clip": name, "T": T, **a})
                        print(f"  adapted {name} T={T}: {'kept' if a['kept'] else 'not kept'} ({a['seconds']:.0f} s) "
                              f"{a['summary']}", flush=True)
                    r = run_to_completion(eval_propagation(gt, src, T, [spec["method"]], **opts))
                    res = r["methods"][spec["method"]]
                    n = r["frames_scored"]
                    a = acc[T][label]
                    if per_clip is not None:
                        per_clip.append({"clip": name, "T": T, "method": label, "pck02": res["pckh02"],
                                         "mean_px": res["mean_px"], "frames": n})
                    if res["pckh02"] is not None:
                        a[0] += res["pckh02"] * n
                        a[1] += res["mean_px"] * n
                        a[2] += n
                        a[3] += res["seconds"]
        finally:
            src.close()
    return {T: {m: {"pck02": a[0] / a[2] if a[2] else float("nan"), "mean_px": a[1] / a[2] if a[2] else float("nan"),
                    "frames": a[2], "seconds": round(a[3], 1)} for m, a in row.items()} for T, row in acc.items()}


def format_rows(title: str, table: dict) -> str:
    methods = list(next(iter(table.values())))
    lines = [title, f"{'T':>3} " + "".join(f"{m:>22}" for m in methods), "    " + "".join(f"{'PCK@0.2   px':>22}" for _ in methods)]
    for T, row in table.items():
        lines.append(f"{T:>3} " + "".join(f"{row[m]['pck02']:>14.1f}{row[m]['mean_px']:>8.2f}" for m in methods))
    frames = {T: next(iter(row.values()))["frames"] for T, row in table.items()}
    lines.append(f"    frames scored per T: {frames}")
    return "\n".join(lines)


def default_weights() -> str | None:
    from stdpose_core.trained.builtin import builtin_checkpoint

    path = builtin_checkpoint()
    return None if path is None else str(path)


def speed(weights: str, seconds_budget: float = 20.0) -> dict:
    """End-to-end person-frames/s of method 'stdpose' with each runtime (see the module docstring)."""
    from stdpose_core.model import export_onnx, load_runtime
    from stdpose_core.propagation import ListSource, get_propagator
    from stdpose_core.propagation.evaluation import keep_frames, sparse_project
    from stdpose_core.synth import generate_clip

    clip = generate_clip(persons=2, frames=61, size=(640, 360), seed=11)
    sparse = sparse_project(clip.gt, keep_frames(clip.gt.num_frames, 15))
    src = ListSource(clip.frames)
    out = {}
    with tempfile.TemporaryDirectory() as tmp:
        files = {"torch": weights}
        if weights.endswith(".pt"):
            files["onnxruntime fp32"] = str(export_onnx(weights, Path(tmp) / "m.onnx")[0])
            files["onnxruntime int8"] = str(export_onnx(weights, Path(tmp) / "q.onnx", quantize=True)[0])
        else:
            files = {"onnxruntime": weights}
        for label, path in files.items():
            prop = get_propagator("stdpose", runtime=load_runtime(path, "cpu"), weights=path)
            run_to_completion(prop.run(sparse, src))  # warm-up
            t0, n, frames = time.perf_counter(), 0, 0
            while time.perf_counter() - t0 < seconds_budget or n == 0:
                edit = run_to_completion(prop.run(sparse, src))
                frames += sum(int(e.frame_mask.sum()) for e in edit.edits if hasattr(e, "frame_mask"))
                n += 1
            out[label] = frames / (time.perf_counter() - t0)
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--clips", nargs="+", default=["val", "goalkeeping"], choices=("val", "tune", "goalkeeping"))
    ap.add_argument("--every", nargs="+", type=int, default=[7, 15, 30])
    ap.add_argument("--methods", nargs="+", default=["interp", "flow", "stdpose", "auto"])
    ap.add_argument("--weights", help="STDPose checkpoint or ONNX (default: the shipped model)")
    ap.add_argument("--adapted", help="one fixed checkpoint as method 'adapted' (default: adapt to each clip)")
    ap.add_argument("--adapt-steps", type=int, help="fine-tuning steps per adaptation run (default: AdaptSettings')")
    ap.add_argument("--max-clips", type=int, default=0, help="evenly thinned subset of each clip set (0 = all)")
    ap.add_argument("--clip-offset", type=int, default=0,
                    help="with --max-clips: take the clips K places after the evenly spaced ones (a fresh subset)")
    ap.add_argument("--speed", action="store_true", help="also measure end-to-end person-frames/s")
    ap.add_argument("--json", help="write all figures to this JSON file")
    args = ap.parse_args()

    weights = args.weights or default_weights()
    methods: dict[str, dict] = {}
    for m in args.methods:
        if m in ("interp", "flow", "auto"):
            methods[m] = {"method": m}
        elif m == "stdpose":
            if weights is None:
                print("no --weights and no shipped model: skipping 'stdpose'", file=sys.stderr)
                continue
            methods[m] = {"method": "stdpose", "opts": {"weights": weights, "device": "cpu"}}
        elif m == "adapted":
            if args.adapted:
                methods[m] = {"method": "stdpose", "opts": {"weights": args.adapted, "device": "cpu"}}
            elif weights is None or not weights.endswith(".pt"):
                print("adaptation fine-tunes a .pt checkpoint (--weights): skipping 'adapted'", file=sys.stderr)
            else:
                methods[m] = {"method": "stdpose", "adapt": True, "steps": args.adapt_steps,
                              "opts": {"weights": weights, "device": "cpu"}}
        else:
            ap.error(f"unknown method {m!r}")
    results: dict = {"weights": weights, "tables": {}, "per_clip": {}, "adaptations": {}}
    for name in args.clips:
        clips = clip_set(name)
        if args.max_clips and len(clips) > args.max_clips:
            picks = np.linspace(0, len(clips) - 1, args.max_clips).round().astype(int) + args.clip_offset
            clips = [clips[i % len(clips)] for i in np.unique(picks)]
        if not all(a.is_file() for _, a, _ in clips):
            print(f"{name}: shared data missing under {SHARED_DATA}; skipped", file=sys.stderr)
            continue
        t0 = time.time()
        results["per_clip"][name], adaptations = [], results["adaptations"].setdefault(name, [])
        table = evaluate_set(clips, args.every, methods, results["per_clip"][name], adaptations)
        results["tables"][name] = table
        print(format_rows(f"{name}: {len(clips)} clips ({time.time() - t0:.0f} s)", table), flush=True)
        for T in args.every:
            runs = [a for a in adaptations if a["T"] == T]
            if runs:
                ran = [a["seconds"] for a in runs if a["scores"] is not None]
                print(f"    adapted, T = {T}: kept {sum(a['kept'] for a in runs)} of {len(runs)} adaptations "
                      f"({len(runs) - len(ran)} could not run, e.g. too few keyframes); "
                      + (f"{np.mean(ran):.0f} s per adaptation that ran" if ran else "none ran"), flush=True)
    if args.speed and weights:
        results["person_frames_per_s"] = speed(weights)
        print("end-to-end person-frames/s (flow prior + model, 640x360, 2 people, T = 15): "
              + ", ".join(f"{k} {v:.1f}" for k, v in results["person_frames_per_s"].items()))
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=2, default=str))


if __name__ == "__main__":
    main()
