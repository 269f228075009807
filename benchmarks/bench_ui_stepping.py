"""Jumping and stepping back in the real editor window: what the annotator waits for on a long-GOP video.

    QT_QPA_PLATFORM=offscreen python benchmarks/bench_ui_stepping.py [--video clip.mp4] [--targets 430,180,330,90]
        [--steps 25] [--step-hz 25] [--cache-mb 512]

Opens ``--video`` (default: ``bench_video.py``'s 1080p clip with 250-frame GOPs, made by running
that benchmark once) in a new project in the main window, with the editor's cache budget. For each
frame of ``--targets`` in turn: jumps there (``set_frame``, as a click on the timeline) and waits
until the canvas shows it, then steps back ``--steps`` frames at ``--step-hz`` (an arrow key held),
each step timed from ``set_frame`` until the canvas shows the frame. Jumps follow the stepping at
once, as an annotator works (the prefetcher may still be busy). Prints one row per jump: jump
latency, median / second-worst / worst step, steps over 50 ms.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

DEFAULT_VIDEO = Path(tempfile.gettempdir()) / "stdpose_bench_video" / "idx_1920x1080_gop250_500.mp4"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--video", type=Path, default=DEFAULT_VIDEO)
    ap.add_argument("--targets", default="430,180,330,90", help="frames to jump to, in order")
    ap.add_argument("--steps", type=int, default=25)
    ap.add_argument("--step-hz", type=float, default=25.0)
    from app.settings import Settings

    ap.add_argument("--cache-mb", type=int, default=Settings.cache_mb, help="the editor's frame cache (default: its default)")
    args = ap.parse_args(argv)
    if not args.video.is_file():
        print(f"error: {args.video}: video not found (run benchmarks/bench_video.py once, or pass --video)",
              file=sys.stderr)
        return 2
    work = Path(tempfile.mkdtemp(prefix="stdpose-bench-stepping-"))
    os.environ["STDPOSE_SETTINGS_DIR"] = str(work / "settings")  # never the user's own settings
    os.environ["STDPOSE_CACHE_DIR"] = str(work / "cache")
    from app.qt_env import ensure_app

    app = ensure_app()
    from app.dialogs.new_project import NewProjectChoice
    from app.main_window import MainWindow

    window = MainWindow()
    window.settings.cache_mb = args.cache_mb
    window.resize(1500, 950)
    window.show()
    window.ask_new = lambda src: NewProjectChoice(work / "bench.stdpose", "posetrack18", 7)
    if not window.open_path(args.video):
        print(f"error: {args.video}: the editor could not open it", file=sys.stderr)
        return 2
    doc, scene = window.doc, window.scene

    def shown(frame: int, timeout: float = 60.0) -> float:
        t0 = time.perf_counter()
        doc.set_frame(frame)
        while scene.shown_frame != frame and time.perf_counter() - t0 < timeout:
            app.processEvents()
            time.sleep(0.001)
        return time.perf_counter() - t0

    def idle(seconds: float) -> None:
        end = time.perf_counter() + seconds
        while time.perf_counter() < end:
            app.processEvents()
            time.sleep(0.001)

    print(f"{args.video.name}: jump, then {args.steps} steps back at {args.step_hz:g} Hz; cache {args.cache_mb} MB; ms")
    print(f"{'jump to':>8} {'jump':>7} {'median':>7} {'2nd worst':>10} {'worst':>7} {'> 50 ms':>8}")
    for target in (int(t) for t in args.targets.split(",")):
        jump = shown(target)
        steps = []
        for frame in range(target - 1, max(-1, target - 1 - args.steps), -1):
            steps.append(shown(frame))
            idle(max(0.0, 1.0 / args.step_hz - steps[-1]))
        steps.sort()
        print(f"{target:>8} {jump * 1e3:7.0f} {steps[len(steps) // 2] * 1e3:7.1f} {steps[-2] * 1e3:10.0f} "
              f"{steps[-1] * 1e3:7.0f} {sum(s > 0.05 for s in steps):>8}")
    window.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
