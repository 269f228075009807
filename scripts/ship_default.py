"""Ship a trained checkpoint as the built-in STDPose model: fp16 weights + ONNX pair + card + gate.

    .venv/bin/python scripts/ship_default.py export runs/default/jhmdb/best.pt [--data-root ../shared/data]
    .venv/bin/python benchmarks/bench_stdpose.py --weights models/weights/stdpose_cpu.onnx --json runs/bench.json
    .venv/bin/python scripts/ship_default.py card --bench runs/bench.json [--trained runs/default/trained.json]

(``--out models/weights`` by default.) ``export`` writes the weight files, ``card`` the card from the
benchmark of exactly those files, so the card's figures are the shipped model's.

1. ``stdpose_cpu.pt``: the checkpoint's weights in fp16 (the trainer's optimizer state dropped), its
   ModelConfig and meta; loads into an fp32 network as any checkpoint does.
2. ``stdpose_cpu.onnx`` + ``stdpose_cpu.fuse.onnx``: exported from exactly those (fp16-rounded) weights,
   fp32 graphs, so torch and onnxruntime give the same joints; the checkpoint's meta (with the peak
   calibration fitted on the JHMDB tune slice when ``--data-root`` is given) in both.
3. ``builtin.json`` (``stdpose_core.trained.builtin``; ``card``): files, hashes, training facts, the validation
   figures per T of ``benchmarks/bench_stdpose.py --json`` (model, flow, interp on the JHMDB
   validation clips), and the quality gate's decision, :func:`gate_decision`.
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import json
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

#: The gate (issue 12): auto uses the model only if it beats flow on the validation clips on average
#: over the T measured, and is never clearly worse (more than this many points) at any single T.
GATE_TOLERANCE = 0.5
GATE_RULE = (f"mean over T of PCK@0.2(model) - PCK@0.2(flow) > 0 on the validation clips, and no T with "
             f"model < flow - {GATE_TOLERANCE}")


def gate_decision(every: dict[str, dict]) -> dict:
    """``{"beats_flow", "rule", "margins", "reason"}`` from ``{T: {"model": {"pck02"}, "flow": {"pck02"}}}``."""
    margins = {t: round(r["model"]["pck02"] - r["flow"]["pck02"], 2) for t, r in every.items()}
    mean = sum(margins.values()) / len(margins)
    worst_t = min(margins, key=margins.get)
    ok = mean > 0 and margins[worst_t] >= -GATE_TOLERANCE
    if ok:
        reason = f"beats flow by {mean:+.2f} points on average (worst T={worst_t}: {margins[worst_t]:+.2f})"
    elif mean <= 0:
        reason = f"does not beat flow: {mean:+.2f} points on average"
    else:
        reason = f"worse than flow at T={worst_t} by {-margins[worst_t]:.2f} points"
    return {"beats_flow": ok, "rule": GATE_RULE, "margins": margins, "reason": reason,
            "decided": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")}


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def export(checkpoint: str, out: Path, data_root: str | None) -> list[Path]:
    """Write ``NAME.pt`` (fp16) and its ONNX pair into ``out`` (see the module docstring)."""
    import torch

    from stdpose_core.model.checkpoint import load_checkpoint, load_model, save_checkpoint
    from stdpose_core.model.runtime import export_onnx

    out.mkdir(parents=True, exist_ok=True)
    ckpt = load_checkpoint(checkpoint)
    name = ckpt.config.name
    model, _ = load_model(checkpoint)
    with torch.no_grad():  # round every float weight to fp16 once, so .pt and .onnx hold the same values
        for t in list(model.state_dict().values()):
            if t.is_floating_point():
                t.copy_(t.half().float())
    pt = out / f"{name}.pt"
    meta = {k: v for k, v in ckpt.meta.items() if k not in ("training",)}
    meta["training"] = {k: v for k, v in (ckpt.meta.get("training") or {}).items() if k != "init"}
    save_checkpoint(pt, model.half(), ckpt.config, meta)
    model.float()
    if data_root:  # heatmap peak -> P(correct) on the tune slice, and the gate record there
        from stdpose_core.training.recipe import split_names
        from stdpose_core.training.validate import score_checkpoint

        root = Path(data_root) / "jhmdb"
        tune = split_names(REPO / "models" / "splits" / "jhmdb.json", "tune")[::2]
        v = score_checkpoint(str(pt), [f"{root}/{n}.json:{root}/{n}.avi" for n in tune], every=15, max_targets=400)
        meta["calibration"] = v.calibration.to_meta()
        meta["gate"] = v.gate.to_dict() if v.gate is not None else None
        meta["calibrated_on"] = "JHMDB tune slice (training clips held out from fitting), every 2nd clip, T=15"
        save_checkpoint(pt, model.half(), ckpt.config, meta)
        model.float()
    return [pt, *export_onnx(model, out / f"{name}.onnx", extra_meta=meta)]


def write_card(out: Path, bench_path: str, trained: str | None) -> dict:
    """Write ``builtin.json`` for the files in ``out`` from the benchmark of them."""
    from stdpose_core.model.checkpoint import load_checkpoint
    from stdpose_core.trained.builtin import CARD_NAME, FORMAT

    pts = sorted(out.glob("*.pt"))
    if len(pts) != 1:
        raise SystemExit(f"{out}: expected one .pt checkpoint, found {len(pts)} (run 'export' first)")
    pt = pts[0]
    onnx = [out / f"{pt.stem}.onnx", out / f"{pt.stem}.fuse.onnx"]
    meta = load_checkpoint(pt).meta
    bench = json.loads(Path(bench_path).read_text())
    table = bench["tables"]["val"]
    every = {str(t): {"model": row["stdpose"], "flow": row["flow"], "interp": row["interp"]} for t, row in table.items()}
    card = {
        "format": FORMAT, "format_version": 1, "name": pt.stem,
        "checkpoint": pt.name, "onnx": onnx[0].name, "onnx_fuse": onnx[1].name,
        "sha256": {p.name: sha256(p) for p in (pt, *onnx)},
        "bytes": {p.name: p.stat().st_size for p in (pt, *onnx)},
        "trained": json.loads(Path(trained).read_text()) if trained else {},
        "source_checkpoint_meta": {k: meta.get(k) for k in ("epoch", "step", "metrics", "metric_name", "every")},
        "benchmarked": {"weights": Path(str(bench.get("weights"))).name,
                        "person_frames_per_s": bench.get("person_frames_per_s")},
        "validation": {"clips": "JHMDB val (models/splits/jhmdb.json, 100 clips)", "metric": "pck02",
                       "protocol": "eval-propagation: keyframes 0, T, 2T, ... and the last frame",
                       "every": every, "goalkeeping": bench["tables"].get("goalkeeping")},
        "gate": gate_decision(every),
    }
    (out / CARD_NAME).write_text(json.dumps(card, indent=2, default=str) + "\n", encoding="utf-8")
    return card


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="step", required=True)
    e = sub.add_parser("export", help="the weight files")
    e.add_argument("checkpoint")
    e.add_argument("--data-root", help="shared data folder: calibrate the heatmap peaks (and record the gate) on "
                                       "the JHMDB tune slice, as training's validation does")
    c = sub.add_parser("card", help="builtin.json from the benchmark of the exported files")
    c.add_argument("--bench", required=True, help="bench_stdpose.py --json output on the validation clips")
    c.add_argument("--trained", help="JSON of training facts (recipe, hardware, hours) for the card")
    for p in (e, c):
        p.add_argument("--out", default=str(REPO / "models" / "weights"))
    args = ap.parse_args()
    out = Path(args.out)
    if args.step == "export":
        files = export(args.checkpoint, out, args.data_root)
        print(json.dumps({p.name: p.stat().st_size for p in files}, indent=2))
    else:
        card = write_card(out, args.bench, args.trained)
        print(json.dumps({"files": card["bytes"], "gate": card["gate"]}, indent=2))


if __name__ == "__main__":
    main()
