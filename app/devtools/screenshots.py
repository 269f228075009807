"""Make the editor screenshots for the docs: ``python -m app.devtools.screenshots OUT_DIR [VIDEO]``.

Builds a project from a generated clip (4 people, keyframes every 7th frame from the ground truth,
flow propagation in between, one frame reviewed), then saves ``editor.png`` (canvas with people in
every joint state), ``timeline.png`` (the timeline dock) and ``guided.png`` (guided keyframe
labelling in progress). With VIDEO, also ``editor_video.png`` on that video (a new project in OUT_DIR).
Run it under a real display (e.g. ``xvfb-run -s "-screen 0 1600x1000x24"``) to check the real window.
"""

from __future__ import annotations

import sys
from pathlib import Path


def build_demo_project(out: Path, persons: int = 4, frames: int = 150, size=(960, 540), every: int = 7):
    """A generated clip as an image folder plus a project with keyframes and propagated frames.

    Returns ``(project_path, ground_truth_project)``."""
    import cv2

    from stdpose_core.data.edits import AddTrack, set_reviewed
    from stdpose_core.progress import run_to_completion
    from stdpose_core.project_ops import create_project, keep_keyframes_every
    from stdpose_core.propagation.base import get_propagator
    from stdpose_core.synth import generate_clip
    from stdpose_core.video import open_source

    clip = generate_clip(persons=persons, frames=frames, size=size, seed=4)
    folder = out / "frames"
    folder.mkdir(parents=True, exist_ok=True)
    for i, rgb in enumerate(clip.frames):
        cv2.imwrite(str(folder / f"{i:06d}.jpg"), cv2.cvtColor(rgb, cv2.COLOR_RGB2BGR))
    path = out / "demo.stdpose"
    path.unlink(missing_ok=True)
    session = create_project(path, folder, keyframe_interval=every)
    for tid, track in clip.gt.tracks.items():
        session.apply(AddTrack(track.copy()))
    session.apply(keep_keyframes_every(session.project, every))
    session.apply(set_reviewed(session.project, 0, frames, False))  # ground truth comes marked reviewed
    with open_source(folder) as src:
        session.apply(run_to_completion(get_propagator("flow").run(session.project, src)))
    session.close()
    return path, clip.gt


def _settle(app, window, frames: int = 30) -> None:
    """Let queued paints and frame loads run."""
    for _ in range(frames):
        app.processEvents()


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    out = Path(argv[0] if argv else "docs/images")
    video = Path(argv[1]) if len(argv) > 1 else None
    work = out / "_work"
    work.mkdir(parents=True, exist_ok=True)
    import os

    os.environ.setdefault("STDPOSE_SETTINGS_DIR", str(work))  # never the user's own settings
    from app.qt_env import ensure_app

    app = ensure_app()
    from app.main import take_screenshot
    from app.main_window import MainWindow
    from stdpose_core.data.edits import set_reviewed

    project, gt = build_demo_project(work)
    w = MainWindow()
    w.resize(1500, 950)
    w.show()
    w.open_path(project)
    doc = w.doc
    doc.set_frame(39)
    doc.push(set_reviewed(doc.project, 60, 75))
    order = w.scene.person_order()
    doc.select(order[1], 9)
    w.view.fit()
    w.timeline_dock.timeline.zoom_all()
    _settle(app, w)
    take_screenshot(w, str(out / "editor.png"))
    w.timeline_dock.grab().save(str(out / "timeline.png"))

    # Guided labelling in progress: person 1 cleared on frame 45, then relabelled joint by joint.
    from stdpose_core.ops.annotate import add_person, delete_person

    f, tid = 45, order[1]
    doc.set_frame(f)
    doc.push(delete_person(doc.project, tid, f, "frame"))
    x1, y1, x2, y2 = gt.tracks[tid].bbox[f].tolist()
    added = doc.push(add_person(doc.project, f, (x1, y1, x2, y2)))
    w.guided.start(added.track.track_id)
    for _ in range(8):
        k = w.guided.joint
        x, y = gt.tracks[tid].xy[f, k].tolist()
        w.guided.place(x, y, occluded=bool(gt.tracks[tid].vis[f, k] == 1))
    w.view.set_zoom(1.6, tuple(((gt.tracks[tid].bbox[f][:2] + gt.tracks[tid].bbox[f][2:]) / 2).tolist()))
    _settle(app, w)
    take_screenshot(w, str(out / "guided.png"))
    w.guided.stop()
    w.close()

    if video is not None:
        from app.dialogs.new_project import NewProjectChoice

        w2 = MainWindow()
        w2.resize(1500, 950)
        w2.show()
        target = work / (video.stem + ".stdpose")
        target.unlink(missing_ok=True)
        w2.ask_new = lambda src: NewProjectChoice(target, "posetrack18", 7)
        w2.open_path(video)
        w2.doc.set_frame(100)
        w2.start_draw_box(then_guided=True)
        w2._box_drawn(346, 203, 384, 278)  # the man in black left of the lamp post
        for x, y in ((360, 215), (360, 221), (361, 208), (354, 226), (368, 225)):
            w2.guided.place(x, y)
        w2.view.set_zoom(3.0, (365, 235))
        take_screenshot(w2, str(out / "editor_video.png"))
        w2.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
