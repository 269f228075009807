"""A generated dataset for tests, benchmarks and demos: N clips of ``stdpose synth`` with keyframes.

``DIR/v00/clip.mp4`` (or ``v00/frames/``) and ``v00/gt.json`` per video, a dataset file listing them
(each with its ``gt``), and in each project the ground truth kept on every ``every``-th frame as
manual keyframes (and the last frame), ready for detect, propagate, export and eval.
"""

from __future__ import annotations

from pathlib import Path

from stdpose_core.progress import Job, Progress, run_to_completion


def write_synthetic_dataset(root: str | Path, videos: int = 5, persons: int = 3, frames: int = 24,
                            size: tuple[int, int] = (320, 192), fmt: str = "mp4", every: int | None = 7,
                            seed: int = 0) -> Job[Path]:
    """Write the dataset (see module docstring) and return its folder. ``every`` None: no keyframes."""
    from stdpose_core.data import Source
    from stdpose_core.dataset.create import init_dataset, relative
    from stdpose_core.dataset.manifest import Change, load, update
    from stdpose_core.io import import_edit, read_annotations
    from stdpose_core.project_ops import keep_keyframes_every
    from stdpose_core.session import ProjectSession
    from stdpose_core.synth import make_scene, write_scene_job

    root = Path(root)
    root.mkdir(parents=True, exist_ok=True)
    for i in range(videos):
        yield Progress(i, videos, f"rendering clip {i + 1} of {videos}")
        scene = make_scene(persons, frames, size, seed + i, False)
        run_to_completion(write_scene_job(scene, root / f"v{i:02d}", fmt, True))
    yield Progress(videos, videos, "listing the videos")
    run_to_completion(init_dataset(root))
    entries = load(root).entries
    for e in entries:
        gt = e.video_path(root).parent / "gt.json" if fmt == "mp4" else e.video_path(root).parent / "gt.json"
        with ProjectSession.open(e.project_path(root)) as s:
            s.apply(import_edit(s.project, read_annotations(gt), Source.MANUAL))
            if every:
                s.apply(keep_keyframes_every(s.project, every, keep_last=True))

        def set_gt(c: Change, name=e.name, rel=relative(root, gt)) -> None:  # noqa: B008 - bound per entry on purpose
            c.set(name, gt=rel)

        update(root, set_gt)
    return root
