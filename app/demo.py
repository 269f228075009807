"""``stdpose-annotate --demo``: a generated clip whose keyframes (every 7th frame) are already labelled.

The clip (moving articulated figures, :mod:`stdpose_core.synth`) is rendered once into the user's
cache folder (``$STDPOSE_CACHE_DIR/demo`` or the platform cache, e.g. ``~/.cache/stdpose/demo``) with
a project whose keyframes hold the ground truth, so a new user presses P (Propagate) and watches the
loop: propagate → fix what is red → export → retrain. Later starts reopen that project with the
user's work in it; Help → Fresh demo project (or ``--demo --fresh``) starts over, keeping the old
project next to it as ``demo-<time>.stdpose``.

The docs' screenshots (all of them, on a real video): ``python -m app.devtools.screenshots``.
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


if __name__ == "__main__":
    print("the demo: stdpose-annotate --demo; the docs' screenshots: python -m app.devtools.screenshots", file=sys.stderr)
    sys.exit(2)
