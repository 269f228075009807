"""Make every screenshot of the docs from the current app on a real video, in one command::

    xvfb-run -a -s "-screen 0 1600x1000x24" .venv/bin/python -m app.devtools.screenshots [--video VIDEO] [OUT_DIR]

On ``VIDEO`` (default: the shared pedestrian clip ``videos/vtest.avi``) it does what an annotator does
first: a project, Jobs → Detect people on frames 0-120 (detector input 960 px: the clip's people are
small), the detector's poses accepted (A) on every
7th frame as keyframes, an ignore region, Propagate (flow) — then it photographs the real window:
``editor.png``, ``guided.png``, ``timeline.png``, ``loop_propagating.png``, ``loop_confidence.png``,
``loop_review.png``, ``loop_retrain.png`` and ``import_summary.png`` (File → Import annotations… on a
CVAT export) in ``OUT_DIR`` (default ``docs/images``), and writes
``screenshots.json``: for each image its hash and the hashes of the UI source files it shows
(:data:`SHOTS`). ``tests/gui/test_screenshots_fresh.py`` fails when those sources changed since, so
screenshots never silently go stale. Look at every image after a run.
"""

from __future__ import annotations

import argparse
import glob
import hashlib
import json
import os
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
#: The UI code each screenshot shows (globs relative to the repository). The whole window shows the
#: window, canvas, docks, review, confidence row and job status; the dialog shows its own files.
WINDOW = ("app/main_window.py", "app/window_actions.py", "app/shortcuts.py", "app/document.py", "app/guided.py",
          "app/canvas/*.py", "app/panels/*.py", "app/timeline/*.py", "app/review/*.py", "app/confidence/*.py",
          "app/jobs/*.py", "app/actions/*.py")
SHOTS: dict[str, tuple[str, ...]] = {
    "editor.png": WINDOW,
    "guided.png": WINDOW,
    "timeline.png": ("app/timeline/*.py", "app/confidence/*.py"),
    "loop_propagating.png": WINDOW,
    "loop_confidence.png": WINDOW,
    "loop_review.png": WINDOW,
    "loop_retrain.png": ("app/dialogs/retrain.py", "app/dialogs/retrain_plot.py"),
    "import_summary.png": ("app/dialogs/import_annotations.py", "stdpose_core/io/summary.py"),
}
#: The file File → Import annotations… is shown reading (a CVAT COCO-keypoints export).
IMPORT_SAMPLE = REPO / "tests" / "fixtures" / "interop" / "cvat_coco_keypoints.json"
MANIFEST = "screenshots.json"
FRAMES = (0, 121)  # detected and labelled range
DETECTOR_IMGSZ = 960
EVERY = 7  # the default T (and what Model → Retrain pairs keyframes by)


def source_hashes(patterns: tuple[str, ...], root: Path = REPO) -> dict[str, str]:
    """``{path: sha256}`` of the files matching ``patterns`` (line endings normalised, so a Windows
    checkout hashes the same)."""
    out = {}
    for pattern in patterns:
        for name in sorted(glob.glob(str(root / pattern))):
            rel = Path(name).relative_to(root).as_posix()
            out[rel] = hashlib.sha256(Path(name).read_bytes().replace(b"\r\n", b"\n")).hexdigest()
    return dict(sorted(out.items()))


def write_manifest(out: Path, video: Path) -> None:
    images = {}
    for name, patterns in SHOTS.items():
        png = out / name
        images[name] = {"png_sha256": hashlib.sha256(png.read_bytes()).hexdigest(), "sources": source_hashes(patterns)}
    (out / MANIFEST).write_text(json.dumps({"video": video.name, "made": time.strftime("%Y-%m-%d"), "images": images},
                                           indent=1) + "\n")


def default_video() -> Path:
    shared = Path(os.environ.get("STDPOSE_SHARED_DATA", REPO.parent / "shared" / "data"))
    for root in (shared, Path("/work/shared/data")):
        if (root / "videos" / "vtest.avi").is_file():
            return root / "videos" / "vtest.avi"
    return shared / "videos" / "vtest.avi"


def _wait(app, cond, timeout_s: float = 60.0) -> None:
    end = time.monotonic() + timeout_s
    while not cond() and time.monotonic() < end:
        app.processEvents()
        time.sleep(0.01)
    for _ in range(10):
        app.processEvents()


def _shot(app, w, path: Path) -> None:
    from app.main import take_screenshot

    _wait(app, lambda: w.scene.shown_frame == w.doc.frame, 15)
    take_screenshot(w, str(path))
    print(f"wrote {path}", flush=True)


def build_project(app, w, video: Path, work: Path) -> None:
    """In window ``w``: a new project on ``video``, detection, accepted keyframes, an ignore region, propagation."""
    from app.dialogs.new_project import NewProjectChoice
    from stdpose_core.ops.annotate import accept_prelabels
    from stdpose_core.ops.regions import add_region, copy_regions

    target = work / (video.stem + ".stdpose")
    w.ask_new = lambda src: NewProjectChoice(target, "posetrack18", EVERY)
    if not w.open_path(video):
        raise SystemExit(f"cannot open {video}")
    doc = w.doc
    w.jobs.auto.enabled = False  # accepting keyframes here must not start re-propagation jobs
    # vtest's people are small: at the default 640 px input YOLO11n finds one or two of them.
    from stdpose_core.detection import create_detector

    w.jobs.make_detector = lambda: create_detector(device="cpu", imgsz=DETECTOR_IMGSZ)
    doc.set_range(FRAMES)
    _wait(app, lambda: True, 0)
    assert w.jobs.detect(), "detection did not start"
    _wait(app, lambda: not w.jobs.runner.busy, 900)
    doc.set_range(None)
    for f in range(FRAMES[0], FRAMES[1], EVERY):
        try:
            doc.push(accept_prelabels(doc.project, f))
        except ValueError:
            pass  # nobody detected there
    # An ignore region in the top-right corner, drawn once and copied to the labelled range.
    v = doc.project.video
    corner = [(0.82 * v.width, 0.0), (v.width - 1.0, 0.0), (v.width - 1.0, 0.3 * v.height), (0.86 * v.width, 0.22 * v.height)]
    doc.push(add_region(doc.project, FRAMES[0], corner))
    doc.push(copy_regions(doc.project, FRAMES[0], FRAMES[1]))
    w.jobs.set_method("flow")
    w.jobs.auto.enabled = True


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="Make the docs' screenshots from the current app on a real video.")
    ap.add_argument("out", nargs="?", default=str(REPO / "docs" / "images"))
    ap.add_argument("--video", default=None, help="video to annotate (default: shared videos/vtest.avi)")
    args = ap.parse_args(sys.argv[1:] if argv is None else argv)
    out = Path(args.out)
    video = Path(args.video) if args.video else default_video()
    if not video.is_file():
        print(f"error: {video}: video not found (pass --video)", file=sys.stderr)
        return 2
    import tempfile

    work = Path(tempfile.mkdtemp(prefix="stdpose-shots-"))
    os.environ.setdefault("STDPOSE_SETTINGS_DIR", str(work / "settings"))  # never the user's own settings
    os.environ.setdefault("STDPOSE_MODELS_DIR", str(work / "models"))
    os.environ.setdefault("STDPOSE_CACHE_DIR", str(work / "cache"))
    from app.qt_env import ensure_app

    app = ensure_app()
    from PySide6.QtCore import Qt

    from app.main_window import MainWindow
    from stdpose_core.progress import relay

    out.mkdir(parents=True, exist_ok=True)
    w = MainWindow()
    w.resize(1500, 950)
    w.show()
    build_project(app, w, video, work)
    doc = w.doc

    # Propagation running: the worker holds at 45% until the picture is taken.
    import threading

    doc.set_frame(45)
    _wait(app, lambda: w.scene.shown_frame == doc.frame, 15)
    inner = w.jobs.propagation_work("flow")
    reached, go_on = threading.Event(), threading.Event()

    def hold_half_way(p):
        if p.total and p.done >= 0.45 * p.total and not reached.is_set():
            reached.set()
            go_on.wait(300)
        return p

    w.jobs.runner.start("Propagating", lambda project: relay(inner(project), hold_half_way), label="propagate (flow)")
    bar = w.jobs.status.bar
    _wait(app, reached.is_set, 600)
    _wait(app, lambda: bar.maximum() > 0 and bar.value() >= 0.4 * bar.maximum(), 10)
    _shot(app, w, out / "loop_propagating.png")
    go_on.set()
    _wait(app, lambda: not w.jobs.runner.busy, 900)
    w.review.recompute()

    # The editor: a propagated frame, a person selected with its box handles, the people panel.
    doc.set_frame(45)
    people = w.scene.person_order()
    if people:
        doc.select(people[len(people) // 2], 9)
    w.view.fit()
    w.timeline_dock.timeline.zoom_all()
    _shot(app, w, out / "editor.png")
    # The timeline alone, tall enough for everyone, zoomed to the labelled frames.
    tl = w.timeline_dock.timeline
    w.resizeDocks([w.timeline_dock], [430], Qt.Orientation.Vertical)
    tl.view_start, tl.view_len = 0.0, float(FRAMES[1] + 10)
    tl.view_changed.emit()
    _wait(app, lambda: True, 0)
    w.timeline_dock.grab().save(str(out / "timeline.png"))
    print(f"wrote {out / 'timeline.png'}", flush=True)
    w.resizeDocks([w.timeline_dock], [230], Qt.Orientation.Vertical)
    tl.zoom_all()

    # Confidence: a frame in the weakest gap, joints shaded by score, the curve below.
    sug = w.review.suggestions
    doc.set_frame(sug[0].frame if sug else 55)
    doc.select(sug[0].track_id if sug else None)
    w.view.fit()
    _shot(app, w, out / "loop_confidence.png")

    # Review queue: the riskiest joint, zoomed in.
    w.resizeDocks([w.review_panel], [460], Qt.Orientation.Horizontal)
    w.review_panel.step(1)
    if doc.track_id is not None and doc.joint is not None:
        x, y = doc.project.tracks[doc.track_id].xy[doc.frame, doc.joint].tolist()
        w.view.set_zoom(2.5, (x, y))
    _shot(app, w, out / "loop_review.png")

    # Guided labelling of a person on a keyframe: its detected pose cleared, the first joints placed again.
    from stdpose_core.ops.annotate import add_person, delete_person

    f = 70
    doc.set_frame(f)
    people = w.scene.person_order()
    if people:
        tid = people[0]
        t = doc.project.tracks[tid]
        pose, vis, box = t.xy[f].copy(), t.vis[f].copy(), t.bbox[f].copy()
        doc.push(delete_person(doc.project, tid, f, "frame"))
        added = doc.push(add_person(doc.project, f, tuple(box.tolist())))
        w.guided.start(added.track.track_id)
        for _ in range(7):
            k = w.guided.joint
            if vis[k] > 0:
                w.guided.place(*pose[k].tolist(), occluded=False)
            else:
                w.guided.skip()
        cx, cy = ((box[:2] + box[2:]) / 2).tolist()
        w.view.set_zoom(2.6, (cx, cy))
    _shot(app, w, out / "guided.png")
    w.guided.stop()

    # File → Import annotations…: what a CVAT COCO-keypoints file holds, before it is imported.
    from app.dialogs.import_annotations import ImportSummaryDialog
    from stdpose_core.io import import_summary, read_annotations

    summary = ImportSummaryDialog(import_summary(read_annotations(IMPORT_SAMPLE), doc.project), w)
    summary.show()
    _wait(app, lambda: True, 0)
    summary.grab().save(str(out / "import_summary.png"))
    print(f"wrote {out / 'import_summary.png'}", flush=True)
    summary.close()

    # Retraining with its live plot, on this project.
    from app.dialogs.retrain import RetrainDialog

    dlg = RetrainDialog(w)
    dlg.epochs.setValue(2)
    dlg.steps.setValue(6)
    dlg.resize(900, 620)
    dlg.show()
    dlg.start()
    _wait(app, lambda: dlg.finished_state is not None or len(dlg.plot.loss) >= 8, 900)
    dlg.grab().save(str(out / "loop_retrain.png"))
    print(f"wrote {out / 'loop_retrain.png'}", flush=True)
    dlg.stop()
    _wait(app, lambda: dlg.finished_state is not None, 60)
    dlg.close()
    w.close()
    write_manifest(out, video)
    print(f"wrote {out / MANIFEST}", flush=True)
    return 0


if __name__ == "__main__":
    code = main()
    sys.stdout.flush()
    os._exit(code)  # skip interpreter teardown: PySide6 6.12 can abort while collecting Qt objects
