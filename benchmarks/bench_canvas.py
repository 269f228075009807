"""Canvas redraw time: a 1080p frame with 10 people (target ≤ 16 ms per redraw).

Runs offscreen (raster paint engine, like most laptops without GPU compositing). Prints a table:
  full redraw      viewport().repaint() of the whole canvas, frame pixmap + 10 poses
  frame step       doc.set_frame(next) (items re-read their arrays) + full redraw
  joint drag step  one drag move: edit applied + committed to SQLite + redraw of what changed

Usage: .venv/bin/python benchmarks/bench_canvas.py [--people 10] [--frames 300] [--repeat 60]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import numpy as np


def build_project(path: Path, people: int, frames: int):
    from stdpose_core.data import Project, Source, VideoInfo
    from stdpose_core.session import ProjectSession
    from stdpose_core.skeleton import get_skeleton

    rng = np.random.default_rng(0)
    p = Project(get_skeleton("posetrack18"), VideoInfo("none.mp4", frames, 1920, 1080, 30.0))
    for tid in range(people):
        t = p.new_track(tid)
        cx, cy = 150 + 170 * tid, 540 + 60 * np.sin(tid)
        base = rng.normal(0, 60, (17, 2)).astype(np.float32) + (cx, cy)
        t.xy[:] = base + np.linspace(0, 40, frames, dtype=np.float32)[:, None, None]
        t.vis[:] = 2
        t.vis[:, 3:5] = 0
        t.vis[:, 9] = 1
        t.source[:] = Source.PROPAGATED
        t.source[::7] = Source.MANUAL
        t.score[:] = rng.uniform(0.2, 1.0, (frames, 17))
        lo, hi = t.xy.min(1) - 10, t.xy.max(1) + 10
        t.bbox[:] = np.concatenate([lo, hi], 1)
        p.tracks[tid] = t
    return ProjectSession.create(path, p)


def timed(fn, repeat: int) -> list[float]:
    out = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        out.append((time.perf_counter() - t0) * 1000)
    return out


def bench_timeline(app, repeat: int, frames: int = 10000, people: int = 12) -> list[tuple]:
    """Timeline repaint over a long video: every track's state strip, zoomed out and zoomed in."""
    from app.document import Document
    from app.settings import DEFAULT_TRACK_COLORS
    from app.timeline.widget import TimelineWidget
    from stdpose_core.data.edits import Change

    tmp = Path(tempfile.mkdtemp())
    session = build_project(tmp / "long.stdpose", people, frames)
    doc = Document()
    tl = TimelineWidget(doc, list(DEFAULT_TRACK_COLORS))
    tl.resize(1500, 300)
    tl.show()
    doc.set_session(session)
    app.processEvents()
    tl.repaint()  # fill the per-track state caches once
    rows = []
    for name, setup in (("all frames", tl.zoom_all), ("zoom 20x", lambda: tl.zoom(20))):
        setup()
        xs = timed(tl.repaint, repeat)
        rows.append(("tl", f"{name} ({frames}f x {people})", statistics.median(xs), float(np.percentile(xs, 95)), max(xs)))
    change = Change(frozenset({0}), 10, 11)

    def edited() -> None:  # what a joint edit costs: one track's states recomputed, then a repaint
        tl.on_change(change)
        tl.repaint()

    xs = timed(edited, repeat)
    rows.append(("tl", "after an edit", statistics.median(xs), float(np.percentile(xs, 95)), max(xs)))
    doc.close()
    return rows


def main(argv=None) -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--people", type=int, default=10)
    ap.add_argument("--frames", type=int, default=300)
    ap.add_argument("--repeat", type=int, default=60)
    args = ap.parse_args(argv)

    from app.qt_env import ensure_app

    app = ensure_app()
    from PySide6.QtGui import QImage, QPixmap

    from app.canvas.scene import CanvasScene
    from app.canvas.view import CanvasView
    from app.document import Document
    from app.settings import DEFAULT_TRACK_COLORS
    from stdpose_core.ops.drag import JointDrag

    tmp = Path(tempfile.mkdtemp())
    session = build_project(tmp / "bench.stdpose", args.people, args.frames)
    doc = Document()
    scene = CanvasScene(doc, list(DEFAULT_TRACK_COLORS))
    view = CanvasView(doc, scene)
    view.resize(1600, 900)
    view.show()
    doc.set_session(session)
    rgb = np.random.default_rng(1).integers(0, 255, (1080, 1920, 3), np.uint8)
    scene.pixmap_item.setPixmap(QPixmap.fromImage(QImage(rgb.data, 1920, 1080, 3 * 1920, QImage.Format.Format_RGB888).copy()))
    doc.select(3)
    rows = []
    for zoom_name, setup in (("fit", view.fit), ("1:1", view.actual_size)):
        setup()
        app.processEvents()
        vp = view.viewport()
        full = timed(vp.repaint, args.repeat)
        state = {"f": 0}

        def step():
            state["f"] = (state["f"] + 1) % args.frames
            doc.set_frame(state["f"])
            vp.repaint()

        steps = timed(step, args.repeat)
        doc.set_frame(0)
        t = doc.project.tracks[3]
        x, y = t.xy[0, 5]
        n = {"i": 0}
        gesture = JointDrag(3, 0, 5)

        def drag():
            n["i"] += 1
            gesture.move_to(doc.session, x + n["i"] % 20, y)
            vp.repaint()

        drags = timed(drag, args.repeat)
        for name, xs in (("full redraw", full), ("frame step", steps), ("joint drag step", drags)):
            rows.append((zoom_name, name, statistics.median(xs), float(np.percentile(xs, 95)), max(xs)))
    rows += bench_timeline(app, args.repeat)
    print(f"Canvas redraw, 1920x1080 frame, {args.people} people, view 1600x900, {args.repeat} runs, platform {app.platformName()}")
    print("Timeline rows (tl): repaint of the whole timeline widget 1500x300 (state strips recomputed for the edited track).")
    print(f"{'zoom':<5} {'operation':<32} {'median ms':>10} {'p95 ms':>8} {'max ms':>8}")
    for z, name, med, p95, mx in rows:
        print(f"{z:<5} {name:<32} {med:10.2f} {p95:8.2f} {mx:8.2f}")
    doc.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
