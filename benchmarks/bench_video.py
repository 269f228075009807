"""Video access benchmark: sequential decode, cold random seeks, cached stepping, cache memory.

Generates index-coded H.264 clips (1280x720 and 1920x1080, GOP 30 and 250, B-frames, x264 veryfast
CRF 20, ~7 Mbit/s at 720p) once into ``--clips`` and measures each, plus ``../shared/data/videos/vtest.avi`` when present:

- open: first open (frame index built from packets + head/tail decode check) and reopen (cached index)
- seq fps: ``frames()`` over the whole clip (decode + RGB conversion), no prefetch
- seek p50/p95: ``frame(i)`` for random i with nothing cached and no prefetch ("cold")
- (CPU): the same from process CPU time (decoding runs on ``decoder.DECODER_THREADS`` FFmpeg threads, so
  CPU time can exceed wall time);
  wall-clock numbers on a machine shared with other jobs are inflated by the load
- step +1 / -1 p50/p95: after a prefetch warm-up at the middle, 60 steps forward then 60 backward at
  ``--step-hz`` (an annotator holding an arrow key), each step ``frame(i)`` then ``set_position(i)``
- cache MB: decoded frames held after the stepping (default budget 1 GiB)
- after a jump: ``--jumps`` times, jump to a random frame (``frame(p)`` then ``set_position(p)``, as the
  GUI does) and step backwards at ``--step-hz`` for 1 s; jump latency and backward-step p50/p95/max
  over all those steps and how many took over 50 ms, with v0.1's behaviour (``jump_keep = 0``: a jump
  keeps only its target) and today's (frames decoded on the way to the target are kept, the frames
  behind are decoded first) side by side on the same file, with the GUI's cache budget
  (``--jump-cache-mb``, default 512 MB as in the editor's settings)

Also prints the cost of keeping frames raw vs JPEG-compressed in the cache.

    .venv/bin/python benchmarks/bench_video.py [--clips DIR] [--frames 500] [--quick]
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from stdpose_core.video import open_source  # noqa: E402
from stdpose_core.video.indexed_clip import make_texture, read_index, render_frame, write_indexed_clip  # noqa: E402

VTEST = REPO.parent / "shared" / "data" / "videos" / "vtest.avi"


def pct(values: list[float], q: float) -> float:
    return float(np.percentile(values, q)) * 1000.0 if values else float("nan")


def make_clips(folder: Path, frames: int, quick: bool, only: str = "") -> list[tuple[str, Path]]:
    folder.mkdir(parents=True, exist_ok=True)
    sizes = [(1280, 720)] if quick else [(1280, 720), (1920, 1080)]
    out = []
    for w, h in sizes:
        for gop in (30, 250):
            if only and only not in f"{h}p H.264 GOP {gop}":
                continue
            p = folder / f"idx_{w}x{h}_gop{gop}_{frames}.mp4"
            if not p.exists():
                t = time.perf_counter()
                write_indexed_clip(p, frames, (w, h), codec="libx264", gop=gop, bframes=2, crf=20, preset="veryfast")
                print(f"  generated {p.name} in {time.perf_counter() - t:.1f} s", file=sys.stderr)
            out.append((f"{h}p H.264 GOP {gop}", p))
    if VTEST.is_file() and (not only or only in "vtest.avi"):
        out.append(("vtest.avi (msmpeg4 768x576, GOP 250)", VTEST))
    return out


def bench_clip(name: str, path: Path, seeks: int, steps: int, step_hz: float, indexed: bool, args_jumps: int,
               jump_cache_bytes: int) -> dict:
    r: dict = {"clip": name}
    t = time.perf_counter()
    with open_source(path, prefetch=False) as src:
        r["open_cold"] = time.perf_counter() - t
        n, (w, h) = len(src), src.size
        r["frames"], r["size"] = n, f"{w}x{h}"
        r["mbps"] = path.stat().st_size * 8 / (n / src.fps) / 1e6
    t = time.perf_counter()
    with open_source(path, prefetch=False) as src:
        r["open_warm"] = time.perf_counter() - t

    with open_source(path, cache_bytes=4 * w * h * 3, prefetch=False) as src:  # sequential
        t, c = time.perf_counter(), time.process_time()
        bad = 0
        for i, f in src.frames():
            if indexed and i % 50 == 0 and read_index(f) != i:
                bad += 1
        r["seq_fps"] = n / (time.perf_counter() - t)
        r["seq_fps_cpu"] = n / (time.process_time() - c)

    with open_source(path, cache_bytes=2 * w * h * 3, prefetch=False) as src:  # cold random seeks
        rng = random.Random(0)
        lat, cpu = [], []
        for _ in range(seeks):
            i = rng.randrange(n)
            src.cache.clear()
            t, c = time.perf_counter(), time.process_time()
            f = src.frame(i)
            lat.append(time.perf_counter() - t)
            cpu.append(time.process_time() - c)
            if indexed and read_index(f) != i:
                bad += 1
        r["seek_p50"], r["seek_p95"], r["seek_max"] = pct(lat, 50), pct(lat, 95), max(lat) * 1000
        r["seek_cpu_p50"], r["seek_cpu_p95"] = pct(cpu, 50), pct(cpu, 95)

    with open_source(path) as src:  # stepping after a prefetch warm-up
        p = n // 2
        src.set_position(p)
        src.frame(p)
        src.wait_prefetch(60)
        for direction, key in ((1, "fwd"), (-1, "back")):
            lat, misses = [], 0
            for _ in range(steps):
                p = min(n - 1, max(0, p + direction))
                hit = p in src.cache
                t = time.perf_counter()
                f = src.frame(p)
                lat.append(time.perf_counter() - t)
                src.set_position(p)
                misses += not hit
                if indexed and read_index(f) != p:
                    bad += 1
                time.sleep(max(0.0, 1.0 / step_hz - lat[-1]))
            r[f"{key}_p50"], r[f"{key}_p95"], r[f"{key}_miss"] = pct(lat, 50), pct(lat, 95), misses
        r["cache_mb"] = src.cache.nbytes / 2**20
        r["cache_frames"] = len(src.cache)
    for keep, key in ((0, "v01"), (None, "now")):
        jumps, steps = after_jump(path, args_jumps, step_hz, keep, n, jump_cache_bytes)
        r[f"jump_{key}"] = (pct(jumps, 50), pct(jumps, 95))
        r[f"back_jump_{key}"] = (pct(steps, 50), pct(steps, 95), max(steps) * 1000 if steps else float("nan"),
                                 sum(s > 0.05 for s in steps), len(steps))
    r["bad"] = bad
    return r


def after_jump(path: Path, jumps: int, step_hz: float, keep: int | None, n: int,
               cache_bytes: int) -> tuple[list[float], list[float]]:
    """Latencies (s) of ``jumps`` random jumps and of the backward steps in the second after each.

    ``keep``: the source's ``jump_keep`` (0 = v0.1: a jump keeps only its target; None = default).
    """
    rng = random.Random(1)
    jump_lat, step_lat = [], []
    with open_source(path, cache_bytes=cache_bytes) as src:
        if keep is not None:
            src.jump_keep = keep
        for _ in range(jumps):
            src.cache.clear()
            p = rng.randrange(min(n - 1, 40), n)
            t0 = time.perf_counter()
            src.frame(p)
            src.set_position(p)
            jump_lat.append(time.perf_counter() - t0)
            landed = time.perf_counter()
            while time.perf_counter() - landed < 1.0 and p > 0:
                time.sleep(max(0.0, 1.0 / step_hz - (time.perf_counter() - t0)))
                p -= 1
                t0 = time.perf_counter()
                src.frame(p)
                src.set_position(p)
                step_lat.append(time.perf_counter() - t0)
            src.wait_prefetch(30)  # let the prefetcher settle before the next jump
    return jump_lat, step_lat


def bench_storage() -> list[str]:
    """Raw copy vs JPEG encode/decode per frame: the price of a compressed cache."""
    import cv2

    lines = []
    for w, h in ((1280, 720), (1920, 1080)):
        img = render_frame(7, (w, h), make_texture((w, h)), np.random.default_rng(0))
        t = time.perf_counter()
        for _ in range(20):
            img.copy()
        raw = (time.perf_counter() - t) / 20
        t = time.perf_counter()
        for _ in range(10):
            ok, buf = cv2.imencode(".jpg", img, [cv2.IMWRITE_JPEG_QUALITY, 95])
        enc = (time.perf_counter() - t) / 10
        t = time.perf_counter()
        for _ in range(10):
            cv2.imdecode(buf, cv2.IMREAD_COLOR)
        dec = (time.perf_counter() - t) / 10
        lines.append(f"| {w}x{h} | {img.nbytes / 2**20:.2f} MB, copy {raw * 1000:.2f} ms | "
                     f"{buf.nbytes / 2**20:.2f} MB, encode {enc * 1000:.1f} ms, decode {dec * 1000:.1f} ms |")
    return lines


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--clips", default=os.path.join(tempfile.gettempdir(), "stdpose_bench_video"))
    ap.add_argument("--frames", type=int, default=500)
    ap.add_argument("--seeks", type=int, default=40)
    ap.add_argument("--steps", type=int, default=60)
    ap.add_argument("--step-hz", type=float, default=25.0)
    ap.add_argument("--jumps", type=int, default=8, help="random jumps followed by 1 s of backward steps")
    from app.settings import Settings

    ap.add_argument("--jump-cache-mb", type=int, default=Settings.cache_mb,
                    help="cache budget of the after-a-jump test (default: the editor's)")
    ap.add_argument("--quick", action="store_true", help="720p clips only")
    ap.add_argument("--only", default="", help="measure only clips whose name contains this (e.g. '1080p H.264 GOP 250')")
    args = ap.parse_args()
    os.environ.setdefault("STDPOSE_CACHE_DIR", os.path.join(args.clips, "index-cache"))
    import shutil

    shutil.rmtree(os.environ["STDPOSE_CACHE_DIR"], ignore_errors=True)  # measure cold opens

    import av

    load0 = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    rows = []
    for name, path in make_clips(Path(args.clips), args.frames, args.quick, args.only):
        rows.append(bench_clip(name, path, args.seeks, args.steps, args.step_hz, indexed=path != VTEST, args_jumps=args.jumps,
                                jump_cache_bytes=args.jump_cache_mb << 20))
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(f"\nVideo access, {os.cpu_count()} CPUs (load average {load0:.1f} at start, {load:.1f} at end), "
          f"PyAV {av.__version__}; times in ms unless noted; steps at {args.step_hz:g} Hz after prefetch warm-up\n")
    print("| clip | frames | size | Mbit/s | open cold / cached | seq fps (CPU) | cold seek p50 / p95 / max (CPU p50 / p95) "
          "| step +1 p50 / p95 (misses) | step -1 p50 / p95 (misses) | cache MB (frames) | wrong frames |")
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    for r in rows:
        print(f"| {r['clip']} | {r['frames']} | {r['size']} | {r['mbps']:.1f} | "
              f"{r['open_cold'] * 1000:.0f} / {r['open_warm'] * 1000:.1f} | {r['seq_fps']:.0f} ({r['seq_fps_cpu']:.0f}) | "
              f"{r['seek_p50']:.0f} / {r['seek_p95']:.0f} / {r['seek_max']:.0f} "
              f"({r['seek_cpu_p50']:.0f} / {r['seek_cpu_p95']:.0f}) | "
              f"{r['fwd_p50']:.2f} / {r['fwd_p95']:.2f} ({r['fwd_miss']}) | "
              f"{r['back_p50']:.2f} / {r['back_p95']:.2f} ({r['back_miss']}) | "
              f"{r['cache_mb']:.0f} ({r['cache_frames']}) | {r['bad']} |")
    print(f"\nAfter a jump: {args.jumps} random jumps, then 1 s of backward steps at {args.step_hz:g} Hz, cache "
          f"{args.jump_cache_mb} MB (v0.1: a jump kept only its target | now: the frames decoded on the way are kept, "
          "the frames behind decoded first); slow = steps over 50 ms of all\n")
    print("| clip | jump p50 / p95 v0.1 | jump p50 / p95 now | back step p50 / p95 / max (slow) v0.1 "
          "| back step p50 / p95 / max (slow) now |")
    print("|---|---|---|---|---|")
    for r in rows:
        a, b = r["back_jump_v01"], r["back_jump_now"]
        print(f"| {r['clip']} | {r['jump_v01'][0]:.0f} / {r['jump_v01'][1]:.0f} | {r['jump_now'][0]:.0f} / {r['jump_now'][1]:.0f} | "
              f"{a[0]:.2f} / {a[1]:.1f} / {a[2]:.0f} ({a[3]} of {a[4]}) | {b[0]:.2f} / {b[1]:.1f} / {b[2]:.0f} ({b[3]} of {b[4]}) |")
    print("\nCache storage per frame: raw vs JPEG q95 (OpenCV)\n")
    print("| size | raw | JPEG |\n|---|---|---|")
    for line in bench_storage():
        print(line)
    return 0


if __name__ == "__main__":
    sys.exit(main())
