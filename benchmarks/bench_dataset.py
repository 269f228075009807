"""Datasets: status time, batch throughput (1 process vs a pool of 2 vs Ray local), and the dataset
view's opening time and responsiveness while a batch job runs.

    nice -n 5 python benchmarks/bench_dataset.py [--videos 50] [--frames 24] [--no-ray] [--no-gui]

Generates a dataset of ``--videos`` short mp4 clips (``stdpose synth``: 3 people, 320x192, keyframes
every 7th frame) in a temporary folder, then:

1. ``status``: the core function cold (no cache) and warm, and the ``stdpose dataset status`` command
   (a new interpreter each time);
2. throughput of detect + propagate (flow) + export (PoseTrack18 folder) over all videos, each runner
   on its own fresh copy of the dataset: this process, a pool of 2 processes, Ray local with 2 CPUs;
   reported in videos per minute (model loading included: each worker loads YOLO once);
3. the dataset view (offscreen Qt): time from File → Open dataset… to a filled table, and how late a
   10 ms QTimer on the GUI thread fires while the view runs a batch detect job in a pool of 2.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def make_dataset(root: Path, videos: int, frames: int) -> Path:
    from stdpose_core.dataset.synthetic import write_synthetic_dataset
    from stdpose_core.progress import run_to_completion

    t0 = time.perf_counter()
    run_to_completion(write_synthetic_dataset(root, videos=videos, persons=3, frames=frames, size=(320, 192)))
    print(f"generated {videos} videos x {frames} frames (3 people, 320x192 mp4) in {time.perf_counter() - t0:.1f} s")
    return root


def copy(src: Path, dst: Path) -> Path:
    shutil.copytree(src, dst, ignore=shutil.ignore_patterns("*.stdpose-wal", "*.stdpose-shm"))
    return dst


def bench_status(root: Path) -> None:
    from stdpose_core.dataset import dataset_status

    shutil.rmtree(root / ".stdpose-dataset" / "status-cache.json", ignore_errors=True)
    (root / ".stdpose-dataset" / "status-cache.json").unlink(missing_ok=True)
    t0 = time.perf_counter()
    rows, _ = dataset_status(root)
    cold = time.perf_counter() - t0
    warm = []
    for _ in range(5):
        t0 = time.perf_counter()
        dataset_status(root)
        warm.append(time.perf_counter() - t0)
    cli = []
    for _ in range(3):
        t0 = time.perf_counter()
        subprocess.run([sys.executable, "-m", "stdpose_core.cli.main", "dataset", "status", str(root)],
                       check=True, capture_output=True)
        cli.append(time.perf_counter() - t0)
    print(f"\nstatus of {len(rows)} videos: function cold {cold * 1000:.0f} ms, warm median {sorted(warm)[2] * 1000:.0f} ms; "
          f"`stdpose dataset status` command median {sorted(cli)[1]:.2f} s (interpreter start included)")


def bench_throughput(template: Path, work: Path, use_ray: bool) -> None:
    from stdpose_core.dataset import batch_job
    from stdpose_core.dataset.runners import PoolRunner, RayRunner, SerialRunner
    from stdpose_core.progress import run_to_completion

    runners = [("1 process", SerialRunner), ("pool of 2", lambda: PoolRunner(2))]
    if use_ray:
        try:
            import ray  # noqa: F401

            runners.append(("Ray local (2 CPUs)", lambda: RayRunner(workers=2)))
        except ImportError:
            print("Ray is not installed: pip install 'stdpose-annotator[cluster]' (Ray row left out)")
    print(f"\n{'runner':<20}{'detect s':>10}{'propagate s':>13}{'export s':>10}{'total s':>10}{'videos/min':>12}  outcomes")
    for label, make in runners:
        root = copy(template, work / label.split()[0])
        times, counts = [], {}
        for job, params in (("detect", {"device": "cpu"}), ("propagate", {"method": "flow"}),
                            ("export", {"format": "posetrack18", "output": str(root / "export")})):
            t0 = time.perf_counter()
            result = run_to_completion(batch_job(root, job, params, runner=make()))
            times.append(time.perf_counter() - t0)
            for k, v in result.counts().items():
                counts[f"{job} {k}"] = v
        total = sum(times)
        n = len(result.outcomes)
        print(f"{label:<20}{times[0]:>10.1f}{times[1]:>13.1f}{times[2]:>10.1f}{total:>10.1f}{n / total * 60:>12.1f}  "
              + ", ".join(f"{k} {v}" for k, v in counts.items()))


GUI = r"""
import os, sys, time
from pathlib import Path
from PySide6.QtCore import QTimer
from app.qt_env import ensure_app
app = ensure_app(sys.argv[:1])
from app.main_window import MainWindow
root = Path(sys.argv[1])
w = MainWindow(); w.resize(1400, 900); w.show()
for _ in range(20): app.processEvents()
t0 = time.perf_counter()
w.open_dataset(root)
panel = w.dataset_panel
while len(panel.model.rows) == 0: app.processEvents()
shown = time.perf_counter() - t0
panel.workers_box.setValue(2)
late, last, interval = [], [time.perf_counter()], 10
def tick():
    now = time.perf_counter(); late.append(max((now - last[0]) * 1000 - interval, 0.0)); last[0] = now
timer = QTimer(); timer.setInterval(interval); timer.timeout.connect(tick)
t1 = time.perf_counter()
panel.run_batch("detect", {"device": "cpu"})
last[0] = time.perf_counter(); timer.start()
while panel.last_result is None: app.processEvents(); time.sleep(0.001)
timer.stop()
took = time.perf_counter() - t1
late.sort()
p99 = late[int(len(late) * 0.99) - 1] if late else 0
print(f"dataset view: table of {len(panel.model.rows)} videos shown {shown * 1000:.0f} ms after Open dataset")
print(f"while 'Run on all: detect' ran ({took:.0f} s, pool of 2, {panel.last_result.counts()}): {len(late)} ticks of a 10 ms timer, "
      f"lateness mean {sum(late) / max(len(late), 1):.1f} ms, p99 {p99:.1f} ms, max {late[-1] if late else 0:.1f} ms")
w.close()
"""


def bench_gui(template: Path, work: Path) -> None:
    root = copy(template, work / "gui")
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "STDPOSE_SETTINGS_DIR": str(work / "settings")}
    (work / "settings").mkdir(exist_ok=True)
    print()
    subprocess.run([sys.executable, "-c", GUI, str(root)], check=True, env=env,
                   cwd=str(Path(__file__).resolve().parents[1]))


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--videos", type=int, default=50)
    p.add_argument("--frames", type=int, default=24)
    p.add_argument("--no-ray", action="store_true")
    p.add_argument("--no-gui", action="store_true")
    p.add_argument("--no-throughput", action="store_true")
    args = p.parse_args()
    os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
    print(f"machine: {os.cpu_count()} CPU cores (shared with other work; load average {os.getloadavg()[0]:.1f})")
    with tempfile.TemporaryDirectory(prefix="bench-dataset-") as tmp:
        tmp = Path(tmp)
        os.environ.setdefault("STDPOSE_CACHE_DIR", str(tmp / "cache"))
        template = make_dataset(tmp / "template", args.videos, args.frames)
        bench_status(copy(template, tmp / "status"))
        if not args.no_throughput:
            bench_throughput(template, tmp, not args.no_ray)
        if not args.no_gui:
            bench_gui(template, tmp)


if __name__ == "__main__":
    main()
