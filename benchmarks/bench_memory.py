"""Propagation memory: peak RSS per 1,000 frames on a long 1280x720 video (target: <= 1.5 GB at 10,000).

    .venv/bin/python benchmarks/bench_memory.py [--frames 10000] [--video clip.mp4 --gt gt.json]
        [--method flow] [--every 7] [--compare OTHER_CHECKOUT [--compare-frames 2000]] [--gui [--gui-frames 1000]]

Without ``--video`` the clip is generated once under /tmp (``stdpose synth`` 1280x720, 4 people, mp4;
about 100 ms per frame to render). The project is made as a user would (``stdpose new``, ``import``
of the ground truth, ``keyframes --every T``), then propagation runs in a child process over
frames ``0:--frames`` through the same code as ``stdpose propagate`` (``open_source`` with the
propagation budget, ``get_propagator``). The child prints its RSS and peak RSS (VmHWM) every 1,000
frames, so growth is visible. ``--compare DIR`` runs the same child against another checkout (e.g.
``/work/main``) in the same run, side by side, over ``--compare-frames`` (the old code grew ~2.7 MB
per frame: 10,000 frames would need ~27 GB, more than a shared machine should be asked for).
``--gui`` also measures the editor (offscreen): idle RSS after opening the project and stepping
through 60 frames, RSS at the end of a Propagate job over ``--gui-frames``, and 5 s after it.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import textwrap
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
CACHE = Path(tempfile.gettempdir()) / "stdpose-bench-memory"

CHILD = textwrap.dedent("""
    import json, sys, time
    from pathlib import Path

    def rss():
        fields = dict(line.split(":", 1) for line in Path("/proc/self/status").read_text().splitlines() if ":" in line)
        return int(fields["VmRSS"].split()[0]) / 1024, int(fields["VmHWM"].split()[0]) / 1024

    project, method, stop = sys.argv[1], sys.argv[2], int(sys.argv[3])
    from stdpose_core.session import ProjectSession
    from stdpose_core.project_ops import video_path
    from stdpose_core.propagation import get_propagator
    from stdpose_core.cli.cmd_propagate import open_frames
    s = ProjectSession.open(project)
    prop = get_propagator(method)
    try:  # as stdpose propagate opens it (a checkout before ADR 0022 knows neither option)
        src = open_frames(video_path(s), s.project.video.frame_names, pixels=getattr(prop, "frame_pixels", "rgb"),
                          read_ahead=True)
    except TypeError:
        src = open_frames(video_path(s), s.project.video.frame_names)
    import stdpose_core
    print(json.dumps({"frames": 0, "rss": rss()[0], "peak": rss()[1], "code": stdpose_core.__file__}), flush=True)
    job = prop.run(s.project, src, frames=(0, stop))
    t0, mark = time.perf_counter(), 1000
    while True:
        try:
            p = next(job)
        except StopIteration as done:
            edit = done.value
            break
        if p.total and p.done * stop >= mark * p.total:
            r, peak = rss()
            print(json.dumps({"frames": mark, "rss": r, "peak": peak, "s": time.perf_counter() - t0}), flush=True)
            mark += 1000
    src.close()
    r, peak = rss()
    print(json.dumps({"frames": "end", "rss": r, "peak": peak, "s": time.perf_counter() - t0,
                      "edits": len(edit.edits)}), flush=True)
    s.close()
""")

GUI_CHILD = textwrap.dedent("""
    import gc, json, os, sys, time
    from pathlib import Path
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

    def rss():
        fields = dict(line.split(":", 1) for line in Path("/proc/self/status").read_text().splitlines() if ":" in line)
        return int(fields["VmRSS"].split()[0]) / 1024, int(fields["VmHWM"].split()[0]) / 1024

    from app.qt_env import ensure_app
    app = ensure_app()
    from PySide6.QtCore import QEventLoop, QTimer
    from app.main_window import MainWindow
    w = MainWindow()
    w.resize(1400, 900)
    w.show()
    assert w.open_path(sys.argv[1])
    def spin(seconds):
        loop = QEventLoop(); QTimer.singleShot(int(seconds * 1000), loop.quit); loop.exec()
    spin(3)
    for f in range(0, 60):  # step through some frames as an annotator would
        w.doc.set_frame(f); app.processEvents()
    spin(2)
    idle = rss()[0]
    w.jobs.set_method(sys.argv[2])
    w.doc.set_range((0, int(sys.argv[3])))
    done = []
    w.jobs.runner.finished.connect(lambda *a: done.append(time.perf_counter()))
    w.jobs.runner.failed.connect(lambda *a: done.append(a))
    t0 = time.perf_counter()
    assert w.jobs.propagate()
    while not done:
        spin(0.5)
    end = rss()
    spin(5)
    gc.collect()
    after = rss()[0]
    print(json.dumps({"idle": idle, "end": end[0], "peak": end[1], "after_5s": after, "s": time.perf_counter() - t0,
                      "result": str(done[0])[:80]}), flush=True)
    w.close()
""")


def ensure_clip(frames: int) -> tuple[Path, Path]:
    clip = CACHE / f"synth-1280x720-p4-{frames}"
    video, gt = clip / "clip.mp4", clip / "gt.json"
    if not gt.is_file():
        print(f"rendering {frames} frames at 1280x720 into {clip} (once; ~{frames / 10 / 60:.0f} min)", flush=True)
        cli(["synth", str(clip), "--persons", "4", "--frames", str(frames), "--size", "1280x720", "--format", "mp4",
             "--overwrite"])
    return video, gt


def cli(args: list[str], code: Path = REPO) -> None:
    env = dict(os.environ, PYTHONPATH=str(code))
    subprocess.run([sys.executable, "-m", "stdpose_core.cli.main", *args], check=True, env=env,
                   stdout=subprocess.DEVNULL, cwd=tempfile.gettempdir())


def make_project(video: Path, gt: Path, every: int, where: Path) -> Path:
    project = where / "bench.stdpose"
    project.unlink(missing_ok=True)
    cli(["new", str(project), str(video)])
    cli(["import", str(project), str(gt)])
    cli(["keyframes", str(project), "--every", str(every), "--keep-last"])
    return project


def run_child(code: Path, project: Path, method: str, frames: int) -> list[dict]:
    env = dict(os.environ, PYTHONPATH=str(code), OMP_WAIT_POLICY="PASSIVE")
    # cwd: the project's folder, so that `python -c` cannot import a checkout from the current folder
    out = subprocess.run([sys.executable, "-c", CHILD, str(project), method, str(frames)], env=env,
                         capture_output=True, text=True, check=False, cwd=project.parent)
    if out.returncode != 0:
        raise SystemExit(f"child ({code}) failed:\n{out.stderr[-2000:]}")
    return [json.loads(line) for line in out.stdout.splitlines() if line.startswith("{")]


def run_gui(code: Path, project: Path, method: str, frames: int) -> dict:
    env = dict(os.environ, PYTHONPATH=str(code), OMP_WAIT_POLICY="PASSIVE", QT_QPA_PLATFORM="offscreen",
               STDPOSE_SETTINGS_DIR=str(project.parent / f"settings-{abs(hash(str(code)))}"))
    out = subprocess.run([sys.executable, "-c", GUI_CHILD, str(project), method, str(frames)], env=env,
                         capture_output=True, text=True, check=False, cwd=project.parent)
    if out.returncode != 0:
        raise SystemExit(f"GUI child ({code}) failed:\n{out.stderr[-2000:]}")
    return json.loads([line for line in out.stdout.splitlines() if line.startswith("{")][-1])


def cell(rec: dict | None) -> str:
    return "-" if rec is None else f"{rec['rss']:.0f} / {rec['peak']:.0f}"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--frames", type=int, default=10_000)
    ap.add_argument("--video", type=Path)
    ap.add_argument("--gt", type=Path, help="ground truth of --video (keyframes are taken from it)")
    ap.add_argument("--method", default="flow")
    ap.add_argument("--every", type=int, default=7)
    ap.add_argument("--compare", type=Path, metavar="CHECKOUT", help="also run another checkout (e.g. /work/main)")
    ap.add_argument("--compare-frames", type=int, default=2000, help="frames propagated by --compare's code")
    ap.add_argument("--gui", action="store_true", help="also measure the editor's RSS around a Propagate job")
    ap.add_argument("--gui-frames", type=int, default=1000, help="frames the editor's Propagate job covers")
    args = ap.parse_args()
    video, gt = (args.video, args.gt) if args.video else ensure_clip(args.frames)
    codes = [("this checkout", REPO)] + ([("compare: " + str(args.compare), args.compare)] if args.compare else [])
    results = {}
    with tempfile.TemporaryDirectory(prefix="bench-memory-") as tmp:
        for name, code in codes:
            where = Path(tmp) / f"p{len(results)}"
            where.mkdir()
            project = make_project(video, gt, args.every, where)
            frames = args.frames if code == REPO else min(args.frames, args.compare_frames)
            print(f"running {name} over {frames} frames ...", flush=True)
            results[name] = run_child(code, project, args.method, frames)
            if args.gui:
                results[name + " (GUI)"] = run_gui(code, project, args.method, args.gui_frames)
    for name, _ in codes:
        print(f"{name}: stdpose_core from {results[name][0].get('code')}")
    print(f"\n{args.method} propagation of frames 0:{args.frames} of {video} (T = {args.every}); RSS / peak RSS in MB")
    header = f"{'frames':>8}" + "".join(f"{name[:34]:>36}" for name, _ in codes)
    print(header)
    rows = {}
    for name, _ in codes:
        for rec in results[name]:
            rows.setdefault(str(rec["frames"]), {})[name] = rec
    for frames, by in rows.items():
        cells = "".join(f"{cell(by.get(n)):>36}" for n, _ in codes)
        print(f"{frames:>8}{cells}")
    end = {n: results[n][-1] for n, _ in codes}
    print("seconds: " + ", ".join(f"{n}: {end[n].get('s', 0):.0f}" for n, _ in codes))
    if args.gui:
        print(f"\neditor (offscreen), Propagate job over the first {args.gui_frames} frames; RSS in MB")
        print(f"{'':<36}{'idle':>8}{'job end':>9}{'peak':>8}{'5 s later':>11}")
        for name, _ in codes:
            g = results[name + " (GUI)"]
            print(f"{name[:34]:<36}{g['idle']:>8.0f}{g['end']:>9.0f}{g['peak']:>8.0f}{g['after_5s']:>11.0f}")


if __name__ == "__main__":
    main()
