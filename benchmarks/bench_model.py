"""STDPose inference speed: ms per person-frame in propagation mode with cached keyframe features.

For each model, backend (torch / onnxruntime [/ onnxruntime int8]) and batch size: the two keyframes
are encoded once (``encode_keyframes``), then ``predict`` runs on batches of target crops; the figure
is wall time / frames (median over iterations). ``encode`` and ``fuse`` split that time into the
target's backbone+head and the fusion stages. Weights are random (speed does not depend on them).
Targets (issue 5): stdpose_vit_s with onnxruntime on the 2-core CPU >= 8 person-frames/s;
stdpose_vit_b on an H100 >= 1,000 person-frames/s.

    .venv/bin/python benchmarks/bench_model.py [--models stdpose_tiny stdpose_vit_s stdpose_vit_b]
        [--batches 1 8] [--iters 3] [--int8] [--bf16] [--device cpu|cuda] [--train-batch 8]
    GPU figure of the issue: --device cuda --bf16 --batches 64 --models stdpose_vit_b
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
from pathlib import Path

import numpy as np
import torch

from stdpose_core.model import create_model, export_onnx
from stdpose_core.model.runtime.onnx_runtime import OnnxRuntime
from stdpose_core.model.runtime.torch_runtime import TorchRuntime


def time_runtime(rt, batch: int, iters: int) -> tuple[float, float, float, float]:
    """Median wall ms per person-frame for predict, its encode and fuse parts, and mean CPU ms
    (all threads of this process) per person-frame — less sensitive to other processes' load."""
    rng = np.random.default_rng(0)
    c = rt.config
    key = rng.standard_normal((1, 3, *c.img_size)).astype(np.float32)
    heat = rng.random((1, *c.heatmap_shape)).astype(np.float32)
    left, right = rt.encode_keyframes(key, heat), rt.encode_keyframes(key, heat)
    crops = rng.standard_normal((batch, 3, *c.img_size)).astype(np.float32)
    lb, rb = left.broadcast(batch), right.broadcast(batch)
    rt.predict(crops, left, right)  # warm-up
    total, enc, fus = [], [], []
    cpu0 = time.process_time()
    for _ in range(iters):
        t0 = time.perf_counter()
        feat, h = rt.encode_frames(crops)
        t1 = time.perf_counter()
        rt.fuse(feat, h, lb.feat, lb.heat, rb.feat, rb.heat)
        t2 = time.perf_counter()
        enc.append(t1 - t0)
        fus.append(t2 - t1)
        total.append(t2 - t0)
    cpu = (time.process_time() - cpu0) / iters
    per = 1000.0 / batch
    return statistics.median(total) * per, statistics.median(enc) * per, statistics.median(fus) * per, cpu * per


def train_steps_per_s(model, batch: int, device: str, steps: int) -> float:
    """AdamW steps/s on random triplets in propagation mode (fp32; the trainer adds AMP on CUDA)."""
    from stdpose_core.model import StdposeLoss

    model = model.to(device).train()
    c = model.config
    loss_fn = StdposeLoss(c)
    opt = torch.optim.AdamW(model.parameters(), lr=1e-4)
    crops = [torch.randn(batch, 3, *c.img_size, device=device) for _ in range(3)]
    heat = [torch.rand(batch, *c.heatmap_shape, device=device) for _ in range(3)]
    weight = torch.ones(batch, c.num_joints, device=device)

    def step():
        total, _ = loss_fn(model(*crops, heat[0], heat[1]), heat[2], weight)
        opt.zero_grad()
        total.backward()
        opt.step()

    step()  # warm-up
    t0 = time.perf_counter()
    for _ in range(steps):
        step()
    if device.startswith("cuda"):
        torch.cuda.synchronize()
    model.eval()
    return steps / (time.perf_counter() - t0)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--models", nargs="+", default=["stdpose_tiny", "stdpose_vit_s", "stdpose_vit_b"])
    ap.add_argument("--batches", nargs="+", type=int, default=[1, 8])
    ap.add_argument("--iters", type=int, default=3)
    ap.add_argument("--int8", action="store_true", help="also time onnxruntime dynamic int8")
    ap.add_argument("--bf16", action="store_true", help="also time torch under bfloat16 autocast")
    ap.add_argument("--device", default="cpu")
    ap.add_argument("--threads", type=int, default=0,
                    help="intra-op threads for torch and onnxruntime (0 = their defaults); 1 gives stabler "
                         "figures on a busy machine")
    ap.add_argument("--train-batch", type=int, default=0, help="also time training steps (AdamW) at this batch")
    args = ap.parse_args()
    if args.threads:
        torch.set_num_threads(args.threads)
    print(f"torch {torch.__version__}, {torch.get_num_threads()} threads; device {args.device}; "
          f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    rows, train_rows = [], []
    with tempfile.TemporaryDirectory() as tmp:
        for name in args.models:
            torch.manual_seed(0)
            model = create_model(name, pretrained=False).eval()
            params = sum(p.numel() for p in model.parameters() if p.requires_grad) / 1e6
            runtimes = {"torch": lambda: TorchRuntime(model, args.device)}
            if args.bf16:
                runtimes["torch bf16"] = lambda: TorchRuntime(model, args.device, precision="bf16")
            onnx_path = Path(tmp) / f"{name}.onnx"
            export_onnx(model, onnx_path)
            runtimes["onnxruntime"] = lambda p=onnx_path: OnnxRuntime(p, args.device, threads=args.threads)
            if args.int8:
                q_path = Path(tmp) / f"{name}.int8.onnx"
                export_onnx(model, q_path, quantize=True)
                runtimes["onnxruntime int8"] = lambda p=q_path: OnnxRuntime(p, args.device, threads=args.threads)
            for backend, make in runtimes.items():
                rt = make()
                for b in args.batches:
                    ms, enc, fus, cpu = time_runtime(rt, b, args.iters)
                    rows.append((name, f"{params:.1f}", backend, b, ms, 1000 / ms, enc, fus, cpu))
                    print(f"  {name} {backend} batch {b}: {ms:.1f} ms/person-frame", flush=True)
                rt.close()
            if args.train_batch:
                sps = train_steps_per_s(model, args.train_batch, args.device, max(2, args.iters))
                train_rows.append((name, args.train_batch, sps))
                print(f"  {name} training: {sps:.2f} steps/s at batch {args.train_batch}", flush=True)
    print()
    print(f"load average at the end: {os.getloadavg()[0]:.1f} (figures assume an idle machine; compare rows of one run)")
    print("| model | params (M) | backend | batch | ms / person-frame | person-frames/s | encode ms | fuse ms | CPU ms |")
    print("|---|---|---|---|---|---|---|---|---|")
    for name, params, backend, b, ms, fps, enc, fus, cpu in rows:
        print(f"| {name} | {params} | {backend} | {b} | {ms:.1f} | {fps:.1f} | {enc:.1f} | {fus:.1f} | {cpu:.1f} |")
    if train_rows:
        print()
        print("| model | train batch | steps/s | triplets/s |")
        print("|---|---|---|---|")
        for name, b, sps in train_rows:
            print(f"| {name} | {b} | {sps:.2f} | {sps * b:.1f} |")


if __name__ == "__main__":
    main()
