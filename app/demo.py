"""``stdpose-annotate --demo``: a generated clip whose keyframes (every 7th frame) are already labelled.

The clip (moving articulated figures, :mod:`stdpose_core.synth`) is rendered once into the user's
cache folder (``$STDPOSE_CACHE_DIR/demo`` or the platform cache, e.g. ``~/.cache/stdpose/demo``) with
a project whose keyframes hold the ground truth, so a new user presses P (Propagate) and watches the
loop: propagate → fix what is red → export → retrain. Later starts reopen that project with the
user's work in it; Help → Fresh demo project (or ``--demo --fresh``) starts over, keeping the old
project next to it as ``demo-<time>.stdpose``.

``python -m app.demo --screenshots docs/images`` makes the loop screenshots for the docs (run it
under a real display, e.g. ``xvfb-run -s "-screen 0 1600x1000x24"``).
"""

from __future__ import annotations

import sys
from pathlib import Path

DEMO = dict(persons=3, frames=141, size=(960, 540), seed=7)
EVERY = 7


def demo_dir() -> Path:
    from stdpose_core.paths import user_cache_dir

    return user_cache_dir() / "demo"


def build_demo(folder: Path | None = None, every: int = EVERY, fresh: bool = False, **clip) -> Path:
    """Render the demo clip (once) and the demo project with keyframes every ``every`` frames.

    An existing demo project of the same clip is kept as it is (the user's work in it stays), unless
    ``fresh``: then it is renamed ``demo-<time>.stdpose`` and a new one made. Returns the project path
    (``FOLDER/demo.stdpose``)."""
    from stdpose_core.data.edits import set_reviewed
    from stdpose_core.io import import_edit, read_annotations
    from stdpose_core.progress import run_to_completion
    from stdpose_core.project_ops import create_project, keep_keyframes_every
    from stdpose_core.synth import make_scene, write_scene_job

    folder = Path(folder or demo_dir())
    opts = {**DEMO, **clip}
    media, gt = folder / "frames", folder / "gt.json"
    stamp = folder / "clip.txt"
    path = folder / "demo.stdpose"
    same_clip = gt.is_file() and stamp.is_file() and stamp.read_text() == repr(opts)
    if same_clip and path.is_file() and not fresh:
        return path
    if not same_clip:
        folder.mkdir(parents=True, exist_ok=True)
        scene = make_scene(opts["persons"], opts["frames"], tuple(opts["size"]), opts["seed"])
        run_to_completion(write_scene_job(scene, folder, "frames", overwrite=True))
        stamp.write_text(repr(opts))
    if path.is_file():  # never thrown away: the previous demo project stays next to the new one
        import time

        keep = path.with_name(f"demo-{time.strftime('%Y%m%d-%H%M%S')}.stdpose")
        for suffix in ("", "-wal", "-shm"):
            old = path.with_name(path.name + suffix)
            if old.exists():
                old.rename(keep.with_name(keep.name + suffix))
    session = create_project(path, media, keyframe_interval=every)
    try:
        p = session.project
        session.apply(import_edit(p, read_annotations(gt)))
        session.apply(keep_keyframes_every(p, every))
        session.apply(set_reviewed(p, 0, p.num_frames, False))  # ground truth arrives marked reviewed
    finally:
        session.close()
    return path


def open_demo(window, folder: Path | None = None, fresh: bool = False, **clip) -> bool:
    """Build (or reopen) the demo (``clip`` overrides :data:`DEMO`) and open it in ``window``; errors are shown."""
    target = Path(folder or demo_dir()) / "demo.stdpose"
    reopened = target.is_file() and not fresh
    try:
        path = build_demo(folder, fresh=fresh, **clip)
    except Exception as exc:  # noqa: BLE001 - e.g. an unwritable cache folder
        from app.errors import show_error

        show_error(window, "Demo", exc)
        return False
    ok = window.open_path(path)
    if ok and reopened:
        window.statusBar().showMessage("Demo: your demo project as you left it — Help → Fresh demo project starts over", 15000)
    elif ok:
        window.statusBar().showMessage(
            f"Demo: every {EVERY}th frame is labelled — press P to propagate, Ctrl+→ to check", 15000)
    return ok


# ---- screenshots for the docs -----------------------------------------------------------------
def _wait(app, cond, timeout_s: float = 60.0) -> None:
    import time

    end = time.monotonic() + timeout_s
    while not cond() and time.monotonic() < end:
        app.processEvents()
        time.sleep(0.01)
    for _ in range(10):
        app.processEvents()


def screenshots(out: Path) -> int:
    """loop_propagating.png, loop_confidence.png, loop_review.png, loop_retrain.png in ``out``."""
    import os
    import tempfile

    from app.qt_env import ensure_app

    app = ensure_app()
    from app.main import take_screenshot
    from app.main_window import MainWindow

    out.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix="stdpose-shots-"))
    os.environ.setdefault("STDPOSE_MODELS_DIR", str(work / "models"))
    w = MainWindow()
    w.resize(1500, 950)
    w.show()
    assert open_demo(w, work / "demo")
    doc = w.doc
    w.jobs.set_method("flow")
    doc.set_frame(42)  # a keyframe: its labelled people show while the gaps are being filled
    _wait(app, lambda: w.scene.shown_frame == doc.frame, 10)
    # Propagation in progress: slow the job a little so the bar is caught half way.
    import time

    from stdpose_core.progress import relay

    inner = w.jobs.propagation_work("flow")

    def slowly(p):
        time.sleep(0.03)
        return p

    w.jobs.runner.start("Propagating", lambda project: relay(inner(project), slowly), label="propagate (flow)")
    _wait(app, lambda: w.jobs.status.bar.maximum() > 0 and w.jobs.status.bar.value() > w.jobs.status.bar.maximum() * 0.4, 60)
    take_screenshot(w, str(out / "loop_propagating.png"))
    _wait(app, lambda: not w.jobs.runner.busy, 120)
    w.review.recompute()

    # Confidence: a frame in the middle of a weak gap, the joints shaded by score, the curve below.
    sug = w.review.suggestions
    frame = sug[0].frame if sug else 45
    doc.set_frame(frame)
    doc.select(sug[0].track_id if sug else None)
    w.view.fit()
    _wait(app, lambda: w.scene.shown_frame == doc.frame, 10)
    take_screenshot(w, str(out / "loop_confidence.png"))

    # Review queue: walk to the riskiest joint.
    from PySide6.QtCore import Qt

    w.resizeDocks([w.review_panel], [430], Qt.Orientation.Horizontal)
    w.resizeDocks([w.review_panel], [420], Qt.Orientation.Vertical)
    w.review_panel.step(1)
    x, y = doc.project.tracks[doc.track_id].xy[doc.frame, doc.joint].tolist()
    w.view.set_zoom(2.2, (x, y))
    _wait(app, lambda: w.scene.shown_frame == doc.frame, 10)
    take_screenshot(w, str(out / "loop_review.png"))

    # Retrain dialog with its live plot on this project.
    from app.dialogs.retrain import RetrainDialog

    dlg = RetrainDialog(w)
    dlg.epochs.setValue(2)
    dlg.steps.setValue(6)
    dlg.resize(900, 620)
    dlg.show()
    dlg.start()
    _wait(app, lambda: dlg.finished_state is not None or len(dlg.plot.loss) >= 8, 400)
    dlg.grab().save(str(out / "loop_retrain.png"))
    dlg.stop()
    _wait(app, lambda: dlg.finished_state is not None, 60)
    dlg.close()
    w.close()
    return 0


if __name__ == "__main__":
    args = sys.argv[1:]
    if args[:1] == ["--screenshots"]:
        code = screenshots(Path(args[1] if len(args) > 1 else "docs/images"))
        sys.stdout.flush()
        import os

        os._exit(code)  # skip interpreter teardown: PySide6 6.12 can abort while collecting Qt objects
    print("usage: python -m app.demo --screenshots OUT_DIR   (the demo itself: stdpose-annotate --demo)", file=sys.stderr)
    sys.exit(2)
