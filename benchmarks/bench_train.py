"""STDPose training speed: optimizer steps/s at a given batch, and the data pipeline's cost.

For each model: ``Trainer.train_step`` (forward on the crop triplets in propagation mode, loss with
the MI terms, backward, clipping, AdamW, schedule) on one fixed collated batch of real samples,
median over ``--iters`` steps after one warm-up step (wall seconds, and CPU seconds of the
process summed over threads: on a shared machine the latter is the steadier figure); and the time the Dataset takes to produce one
batch (decode 3 frames per sample, crop, augment, render heatmaps) from a generated 640x360 clip.
bf16 autocast is used on CUDA only (as in training). Weights are random (speed does not depend on them).

    .venv/bin/python benchmarks/bench_train.py [--models stdpose_tiny stdpose_vit_s] [--batch 8]
        [--iters 3] [--device cpu|cuda] [--threads N]
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

import torch

from stdpose_core.model.registry import get_config
from stdpose_core.training.config import TrainingSettings
from stdpose_core.training.dataset import _collate
from stdpose_core.training.loop import Trainer
from stdpose_core.training.plan import prepare


def make_data(root: Path) -> str:
    from stdpose_core.synth import generate_clip, write_clip

    write_clip(generate_clip(persons=3, frames=40, size=(640, 360), seed=0), root / "clip")
    return str(root / "clip" / "gt.json")


def bench(model: str, data: str, run: Path, batch: int, iters: int, device: str) -> dict:
    t = TrainingSettings(batch_size=batch, steps_per_epoch=iters + 1, device=device, val_every=0)
    plan = prepare(get_config(model), t, [data], run, registry=str(run / "registry.json"))
    trainer = Trainer(plan)
    trainer.build()
    ds = trainer.dataset
    data_s = []
    for it in range(2):
        t0 = time.perf_counter()
        items = [ds[(it * batch + i) % len(ds)] for i in range(batch)]
        data_s.append(time.perf_counter() - t0)
    b = _collate(items)
    trainer.train_step(dict(b))  # warm-up (allocations, autotuning)
    step_s, cpu_s = [], []
    for _ in range(iters):
        c0 = time.process_time()
        if device == "cuda":
            torch.cuda.synchronize()
        t0 = time.perf_counter()
        trainer.train_step(dict(b))
        if device == "cuda":
            torch.cuda.synchronize()
        step_s.append(time.perf_counter() - t0)
        cpu_s.append(time.process_time() - c0)
    params = sum(p.numel() for p in trainer.model.parameters()) / 1e6
    step = statistics.median(step_s)
    return {"model": model, "params_m": params, "batch": batch, "step_s": step, "cpu_s": statistics.median(cpu_s), "steps_per_s": 1 / step,
            "samples_per_s": batch / step, "data_ms_per_batch": 1000 * statistics.median(data_s)}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--models", nargs="+", default=["stdpose_tiny", "stdpose_vit_s"])
    ap.add_argument("--batch", type=int, default=8)
    ap.add_argument("--iters", type=int, default=3)
    ap.add_argument("--device", default="cpu", choices=("cpu", "cuda"))
    ap.add_argument("--threads", type=int, default=0, help="torch threads (0 = torch's default)")
    args = ap.parse_args()
    if args.threads:
        torch.set_num_threads(args.threads)
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        data = make_data(root)
        print(f"device {args.device}, torch threads {torch.get_num_threads()}, batch {args.batch}, "
              f"median of {args.iters} steps{', bf16 autocast' if args.device == 'cuda' else ', fp32'}")
        print(f"{'model':<16}{'params M':>9}{'s/step':>9}{'cpu s/step':>11}{'steps/s':>9}{'samples/s':>11}{'data ms/batch':>15}")
        for name in args.models:
            r = bench(name, data, root / name, args.batch, args.iters, args.device)
            print(f"{r['model']:<16}{r['params_m']:>9.1f}{r['step_s']:>9.2f}{r['cpu_s']:>11.2f}{r['steps_per_s']:>9.3f}"
                  f"{r['samples_per_s']:>11.2f}{r['data_ms_per_batch']:>15.0f}", flush=True)


if __name__ == "__main__":
    main()
