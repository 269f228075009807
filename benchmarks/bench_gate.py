"""The STDPose path measured: quality gate, per-gap choice, per-video adaptation, runtime throughput.

    .venv/bin/python benchmarks/bench_gate.py --run RUN_DIR [--val-clips 100] [--intervals 7 15]
        [--adapt-steps 100] [--adapt-clips 2] [--json OUT.json]

``RUN_DIR`` is a ``stdpose-retrain`` run on JHMDB ``train`` clips of ``models/splits/jhmdb.json``
(``--data C.json:C.avi`` per clip) whose ``--val-data`` are other ``train`` clips. The model that
issue 12 measured was trained here with (CPU, ~45 min, 1,500 steps at batch 12):

    stdpose-retrain --config stdpose_tiny --data ... (416 train clips) --val-data ... (20 train clips: train[::22][:20])
        --out RUN --epochs 4 --steps-per-epoch 500 --batch-size 12 --lr 1e-3 --every 15 --val-max 200

What it measures (never on data it was trained or calibrated on):

1. **Gate** — the run's ``best.pt`` scored with flow on its own validation clips (train clips held out
   of training) at each T, as ``stdpose models score`` does; the peak calibration is fitted there too
   and written into a copy of the checkpoint (what a run of the current trainer records itself).
2. **Val split** — on the JHMDB ``val`` clips (the first ``--val-clips``, all by default) and the
   goalkeeping clip, at each T: keyframes on frames 0, T, 2T, ... and the last; PCK@0.2 (box-normalised:
   JHMDB has no head boxes) and mean px on the frames in between, for interp, flow, stdpose (the
   model alone), ``auto`` as shipped (the registry's active model behind the gate), and the per-gap
   and per-joint choices between the model and flow (``auto --choice gap|joint`` with the model let
   through the gate, to measure the choice itself). Pooled over clips, weighted by frames scored.
3. **Adaptation** — on the goalkeeping clip and the first JHMDB val clip(s), at each T: the sparse
   project's keyframes adapt the calibrated model (``training.adapt``, leave-one-keyframe-out
   decision), then base, adapted and flow are scored on the in-between frames against the truth.
4. **Throughput** — the STDPose propagator end to end on the goalkeeping clip (frames in memory,
   T = 15): torch fp32, onnxruntime fp32 and onnxruntime dynamic int8, person-frames/s (best of 2).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import yaml

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from stdpose_core.io import read_annotations  # noqa: E402
from stdpose_core.progress import run_to_completion  # noqa: E402
from stdpose_core.propagation import ListSource, get_propagator  # noqa: E402
from stdpose_core.propagation.auto import ChoicePropagator  # noqa: E402
from stdpose_core.propagation.evaluation import keep_frames, sparse_project  # noqa: E402
from stdpose_core.propagation.scoring import score_frames  # noqa: E402

SHARED = Path(os.environ.get("STDPOSE_SHARED_DATA", REPO.parent / "shared" / "data"))
JHMDB = SHARED / "jhmdb"
GOALKEEPING = SHARED / "jhmdb_goalkeeping"


def load_clip(name: str):
    """``(ground truth Project, frames in memory)`` of a JHMDB clip (``action/clip``) or 'goalkeeping'."""
    from stdpose_core.video import open_source

    if name == "goalkeeping":
        gt = read_annotations(GOALKEEPING / "gt_posetrack18.json")
        src = open_source(GOALKEEPING / "frames")
    else:
        gt = read_annotations(JHMDB / f"{name}.json")
        src = open_source(JHMDB / f"{name}.avi")
    n = min(len(src), gt.num_frames)
    frames = [np.array(src.frame(i)) for i in range(n)]
    src.close()
    return gt, ListSource(frames)


def propagate(prop, gt, src, every: int):
    """Run ``prop`` on the sparse copy; ``(scores on the in-between frames, seconds, person-frames filled)``."""
    keep = keep_frames(gt.num_frames, every)
    scored = np.flatnonzero(~keep)
    sparse = sparse_project(gt, keep)
    pred = sparse_project(gt, keep)
    t0 = time.perf_counter()
    edit = run_to_completion(prop.run(sparse, src))
    seconds = time.perf_counter() - t0
    edit.apply(pred)
    filled = sum(int(((t.vis[scored] > 0).any(axis=1)).sum()) for t in pred.tracks.values())
    r = score_frames(gt, pred, scored)
    return {"pck02": r["pckh02"], "mean_px": r["mean_px"], "frames": int(len(scored)), "norm": r["norm"]}, seconds, filled


def pooled(rows: list[dict]) -> dict:
    w = np.array([r["frames"] for r in rows], float)
    out = {}
    for k in ("pck02", "mean_px"):
        v = np.array([r[k] if r[k] is not None else np.nan for r in rows], float)
        ok = np.isfinite(v)
        out[k] = float((v[ok] * w[ok]).sum() / w[ok].sum()) if ok.any() else float("nan")
    out["frames"] = int(w.sum())
    out["clips"] = len(rows)
    return out


# ---------------------------------------------------------------------------------------------- steps
def gate_step(run: Path, intervals, work: Path) -> tuple[Path, dict]:
    """Score best.pt and flow on the run's own validation clips; write the calibrated copy."""
    import torch

    from stdpose_core.training.validate import score_checkpoint

    args = yaml.safe_load((run / "args.yaml").read_text())
    specs = list(args["val_data"])
    gates, calibration = {}, None
    for every in intervals:
        v = score_checkpoint(str(run / "best.pt"), specs, every=every, max_targets=400, device="cpu")
        gates[every] = v.gate
        if every == args["training"]["every"] or calibration is None:
            calibration = v.calibration  # fitted at the training T, as the trainer does
        print(f"gate T={every}: {v.gate.summary()} ({len(specs)} held-out train clips)", flush=True)
    ck = torch.load(run / "best.pt", map_location="cpu", weights_only=True)
    train_every = args["training"]["every"]
    ck["meta"]["gate"] = gates[train_every if train_every in gates else intervals[-1]].to_dict()
    ck["meta"]["calibration"] = calibration.to_meta()
    out = work / "best_calibrated.pt"
    torch.save(ck, out)
    return out, {"gates": {str(k): g.to_dict() for k, g in gates.items()}, "calibration": calibration.to_meta(),
                 "registered_gate_T": train_every}


def val_step(ckpt: Path, clips: list[str], intervals, registry_gate: dict) -> dict:
    """Every method on every clip and T (see the module docstring)."""
    from stdpose_core.trained.model_registry import add_model

    add_model({"name": "stdpose_tiny", "path": str(ckpt), "mode": "propagation", "gate": registry_gate}, activate=True)
    auto = get_propagator("auto")  # the real gate decides
    model = get_propagator("stdpose", weights=str(ckpt), device="cpu")
    methods = {"interp": get_propagator("interp"), "flow": get_propagator("flow"), "stdpose": model,
               "auto (gated)": auto,
               "choice per gap": ChoicePropagator(model, get_propagator("flow"), "gap"),
               "choice per joint": ChoicePropagator(model, get_propagator("flow"), "joint")}
    print(f"auto (gated) runs: {auto.name} — {getattr(auto, 'note', '')}", flush=True)
    rows: dict = {}
    for ci, name in enumerate(clips):
        gt, src = load_clip(name)
        for every in intervals:
            if gt.num_frames <= every:
                continue
            for m, prop in methods.items():
                r, _, _ = propagate(prop, gt, src, every)
                rows.setdefault(("goalkeeping" if name == "goalkeeping" else "val", every, m), []).append(r)
                if isinstance(prop, ChoicePropagator):
                    rows[("goalkeeping" if name == "goalkeeping" else "val", every, m)][-1]["model_share"] = \
                        prop.picked[0] / max(1, prop.picked[1])
                    prop.picked = [0, 0]
        if ci % 10 == 9:
            print(f"  {ci + 1}/{len(clips)} clips", flush=True)
    out = {f"{set_}|{every}|{m}": pooled(v) for (set_, every, m), v in rows.items()}
    for (set_, every, m), v in rows.items():
        if "model_share" in v[0]:
            w = np.array([r["frames"] for r in v], float)
            out[f"{set_}|{every}|{m}"]["model_share"] = float(np.dot([r["model_share"] for r in v], w) / w.sum())
    return out


def adapt_step(ckpt: Path, clips: list[str], intervals, steps: int, work: Path) -> list[dict]:
    from stdpose_core.training.adapt import AdaptSettings, adapt_job

    out = []
    for name in clips:
        gt, src = load_clip(name)
        for every in intervals:
            keep = keep_frames(gt.num_frames, every)
            sparse = sparse_project(gt, keep)
            path = work / f"{name.replace('/', '_')}-T{every}.stdpose"
            t0 = time.perf_counter()
            res = run_to_completion(adapt_job(sparse, src, path, base=str(ckpt),
                                              settings=AdaptSettings(steps=steps, batch_size=8, device="cpu")))
            secs = time.perf_counter() - t0
            row = {"clip": name, "T": every, "keyframes": res.keyframes, "loko": {k: v["pckh02"] for k, v in res.scores.items()},
                   "accepted": res.accepted, "adapt_seconds": round(secs, 1)}
            base, _, _ = propagate(get_propagator("stdpose", weights=str(ckpt), device="cpu"), gt, src, every)
            flow, _, _ = propagate(get_propagator("flow"), gt, src, every)
            row["base"], row["flow"] = base, flow
            if res.accepted:
                row["adapted"], _, _ = propagate(get_propagator("stdpose", weights=res.path, device="cpu"), gt, src, every)
                auto = get_propagator("auto", project_path=str(path))
                row["auto_project"], _, _ = propagate(auto, gt, src, every)
                row["auto_project_method"] = auto.name
            out.append(row)
            print(f"adapt {name} T={every}: {res.summary()}", flush=True)
    return out


def throughput_step(ckpt: Path, work: Path, repeats: int = 2) -> dict:
    from stdpose_core.model import export_onnx

    onnx = export_onnx(str(ckpt), work / "m.onnx")[0]
    int8 = export_onnx(str(ckpt), work / "m.int8.onnx", quantize=True)[0]
    gt, src = load_clip("goalkeeping")
    out = {}
    for label, weights in (("torch fp32", ckpt), ("onnxruntime fp32", onnx), ("onnxruntime int8", int8)):
        best = None
        prop = get_propagator("stdpose", weights=str(weights), device="cpu")
        for _ in range(repeats):
            r, secs, filled = propagate(prop, gt, src, 15)
            best = max(best or 0.0, filled / secs)
        out[label] = {"person_frames_per_s": round(best, 1), "pck02": r["pck02"]}
    return out


# ---------------------------------------------------------------------------------------------- report
def report(res: dict, intervals) -> str:
    lines = ["", "## Gate: best.pt vs flow on the run's own validation clips (held-out train clips)"]
    for every, g in res["gate"]["gates"].items():
        lines.append(f"T={every}: model {g['model']['pckh02']:.1f} vs flow {g['flow']['pckh02']:.1f} PCK@0.2 "
                     f"({g['targets']} person-frames) -> {'passes' if g['model']['pckh02'] > g['flow']['pckh02'] else 'refused'}")
    methods = ["interp", "flow", "stdpose", "auto (gated)", "choice per gap", "choice per joint"]
    for set_ in ("val", "goalkeeping"):
        lines += ["", f"## {set_}: PCK@0.2 (box) / mean px on the frames between keyframes",
                  "| method | " + " | ".join(f"T={t}" for t in intervals) + " |", "|---|" + "---|" * len(intervals)]
        for m in methods:
            cells = []
            for t in intervals:
                r = res["val"].get(f"{set_}|{t}|{m}")
                cells.append("—" if r is None else f"{r['pck02']:.1f} / {r['mean_px']:.2f}")
            lines.append(f"| {m} | " + " | ".join(cells) + " |")
        for t in intervals:
            get = lambda m: res["val"].get(f"{set_}|{t}|{m}")  # noqa: E731
            if get("flow") and get("stdpose"):
                better = max(get("flow")["pck02"], get("stdpose")["pck02"])
                for m in ("choice per gap", "choice per joint"):
                    lines.append(f"T={t} {m}: {get(m)['pck02'] - better:+.2f} points vs the better of flow and stdpose"
                                 f" ({get(m)['clips']} clips, {get(m)['frames']} frames; "
                                 f"{100 * get(m).get('model_share', 0):.1f}% of joints from the model)")
    lines += ["", "## Adaptation (keyframes of the clip only; scored on the frames between them)",
              "| clip | T | keys | LOKO base/adapted/flow | kept | base | adapted | flow | auto on the project |",
              "|---|---|---|---|---|---|---|---|---|"]
    for r in res["adapt"]:
        lo = r["loko"]
        f = lambda x: "—" if x is None else f"{x['pck02']:.1f} / {x['mean_px']:.2f}"  # noqa: E731
        lines.append(f"| {r['clip'].split('/')[-1][:40]} | {r['T']} | {r['keyframes']} | {lo['base']:.1f}/{lo['adapted']:.1f}/"
                     f"{lo['flow']:.1f} | {'yes' if r['accepted'] else 'no'} | {f(r['base'])} | {f(r.get('adapted'))} | "
                     f"{f(r['flow'])} | {f(r.get('auto_project'))} {r.get('auto_project_method', '')} |")
    lines += ["", "## Throughput of the STDPose propagator (goalkeeping clip, T=15, CPU; no GPU was lent to this task)"]
    for k, v in res["throughput"].items():
        lines.append(f"{k}: {v['person_frames_per_s']} person-frames/s (PCK@0.2 {v['pck02']:.1f})")
    return "\n".join(lines)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--run", required=True, type=Path, help="stdpose-retrain run folder (best.pt, args.yaml)")
    ap.add_argument("--val-clips", type=int, default=0, help="first N val clips (0 = all)")
    ap.add_argument("--intervals", type=int, nargs="+", default=[7, 15])
    ap.add_argument("--adapt-steps", type=int, default=100)
    ap.add_argument("--adapt-clips", type=int, default=1, help="JHMDB val clips adapted besides the goalkeeping clip")
    ap.add_argument("--skip", nargs="*", default=[], choices=["val", "adapt", "throughput"])
    ap.add_argument("--json", type=Path)
    a = ap.parse_args()
    if not JHMDB.is_dir():
        print(f"shared data not found at {SHARED}: nothing to measure")
        return 0
    split = json.loads((REPO / "models" / "splits" / "jhmdb.json").read_text())
    val = split["val"][: a.val_clips or None]
    work = Path(tempfile.mkdtemp(prefix="bench_gate_"))
    os.environ["STDPOSE_MODELS_DIR"] = str(work / "models")  # a private registry
    res: dict = {"intervals": a.intervals, "val_clips": len(val)}
    t0 = time.perf_counter()
    ckpt, res["gate"] = gate_step(a.run, a.intervals, work)
    reg_gate = res["gate"]["gates"][str(res["gate"]["registered_gate_T"])] if str(res["gate"]["registered_gate_T"]) in \
        res["gate"]["gates"] else res["gate"]["gates"][str(a.intervals[-1])]
    res["val"] = {} if "val" in a.skip else val_step(ckpt, ["goalkeeping", *val], a.intervals, reg_gate)
    print(f"[{time.perf_counter() - t0:.0f} s]", flush=True)
    adapt_clips = ["goalkeeping"] + [c for c in split["val"] if "Goal_Keeping" not in c][: a.adapt_clips]
    res["adapt"] = [] if "adapt" in a.skip else adapt_step(ckpt, adapt_clips, a.intervals, a.adapt_steps, work)
    print(f"[{time.perf_counter() - t0:.0f} s]", flush=True)
    res["throughput"] = {} if "throughput" in a.skip else throughput_step(ckpt, work)
    res["seconds"] = round(time.perf_counter() - t0, 1)
    print(report(res, a.intervals))
    if a.json:
        a.json.write_text(json.dumps(res, indent=2, default=str))
    return 0


if __name__ == "__main__":
    sys.exit(main())
