"""YOLO-pose datasets: the layout ``yolo pose train data=DATA.yaml`` (ultralytics) reads.

::

    OUT/data.yaml            path, train, val, kpt_shape [K, 3], flip_idx, names {0: person}
    OUT/images/train/*.jpg   symlinks to the project's images (image folders) or frames written
                             as JPEG (videos); OUT/images/val/ for every ``val_every``-th frame
    OUT/labels/train/*.txt   one line per person: ``class cx cy w h x1 y1 v1 ... xK yK vK``

Coordinates are normalised by the image's own size (per-image sizes for photo collections).
Visibility follows COCO (0 not labelled with x = y = 0, 1 occluded, 2 visible): ultralytics keeps
joints with v > 0. The box is the person box, else the labelled joints' extent. Frames written:
those an export would write as labelled (see :func:`stdpose_core.io.export_view`); a labelled
frame without people becomes a background image (empty label file). The folder is built beside
``OUT`` and renamed into place, so a failed export leaves nothing half-written.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

import numpy as np

from stdpose_core.data import Project
from stdpose_core.data.boxes import person_box
from stdpose_core.errors import InputError, StdposeError
from stdpose_core.io.frame_names import basename


def _yaml(out: Path, k: int, flip_idx: list[int], name: str, has_val: bool) -> str:
    import yaml

    doc = {"path": str(out.resolve()), "train": "images/train", "val": "images/val" if has_val else "images/train",
           "kpt_shape": [k, 3], "flip_idx": flip_idx, "names": {0: name}}
    return yaml.safe_dump(doc, sort_keys=False)


def label_lines(project: Project, frame: int) -> tuple[list[str], int]:
    """The label file's lines for ``frame`` (people present there with a box or labelled joints),
    and how many labelled joints lay outside the image (written as not labelled, and boxes clipped
    to the image: ultralytics refuses a label file with coordinates outside [0, 1])."""
    w, h = project.video.frame_size(frame)
    if not w or not h:
        raise StdposeError(f"frame {frame} has no known image size; YOLO labels are normalised by it")
    lines, outside = [], 0
    for t in project.tracks_at(frame):
        box = person_box(t, frame)
        if box is None:
            continue
        x1, x2 = (min(max(float(v), 0.0), w) for v in box[0::2])
        y1, y2 = (min(max(float(v), 0.0), h) for v in box[1::2])
        if x2 <= x1 or y2 <= y1:
            continue
        vals = [(x1 + x2) / 2 / w, (y1 + y2) / 2 / h, (x2 - x1) / w, (y2 - y1) / h]
        xy = t.xy[frame]
        inside = (xy[:, 0] >= 0) & (xy[:, 0] <= w) & (xy[:, 1] >= 0) & (xy[:, 1] <= h)
        lab = t.vis[frame] > 0
        outside += int((lab & ~inside).sum())
        lab &= inside
        for j in range(project.num_joints):
            if lab[j]:
                vals += [float(t.xy[frame, j, 0]) / w, float(t.xy[frame, j, 1]) / h, int(t.vis[frame, j])]
            else:
                vals += [0.0, 0.0, 0]
        lines.append("0 " + " ".join(str(v) if isinstance(v, int) else f"{v:.6f}" for v in vals))
    return lines, outside


def dataset_folder_problem(out: Path) -> str | None:
    """Why ``out`` cannot take a new YOLO-pose dataset (it must be new or an empty folder), or None."""
    if out.exists() and (not out.is_dir() or any(out.iterdir())):
        return "exists and is not an empty folder; choose a new folder for the YOLO dataset"
    return None


def write_yolo_pose(project: Project, out: str | Path, images: str | Path, only_reviewed: bool = False,
                    val_every: int = 0) -> dict:
    """Write the YOLO-pose dataset of ``project`` to the new folder ``out``.

    ``images``: the project's video file or image folder (absolute). ``val_every`` > 0 puts every
    n-th written frame in ``images/val`` (else ``val`` is the training set). Keypoints are in the
    project's own layout (``kpt_shape`` = its joint count; ``flip_idx`` from its left/right pairs).
    Returns ``{"output", "images", "people", "train", "val", "joints_outside_image"}``.
    """
    from stdpose_core.io.export import export_view

    out, images = Path(out), Path(images)
    problem = dataset_folder_problem(out)
    if problem:
        raise StdposeError(f"{out}: {problem}")
    view = export_view(project, "coco", only_reviewed, skeleton=project.skeleton.name if project.skeleton.name in ("coco17", "posetrack18") else None)
    frames = np.flatnonzero(view.labeled)
    if not len(frames):
        raise StdposeError("nothing to export: no frame has labelled joints")
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.", dir=out.parent))
    try:
        counts = _write(view, tmp, out, images, frames, val_every)
        if out.exists():
            out.rmdir()
        os.replace(tmp, out)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return {"output": str(out), **counts}


def _write(view: Project, tmp: Path, out: Path, images: Path, frames: np.ndarray, val_every: int) -> dict:
    sk = view.skeleton
    counts = {"images": 0, "people": 0, "train": 0, "val": 0, "joints_outside_image": 0}
    for split in ("train", "val"):
        (tmp / "images" / split).mkdir(parents=True)
        (tmp / "labels" / split).mkdir(parents=True)
    source = None if images.is_dir() else _open(images)
    try:
        for n, f in enumerate(frames):
            f = int(f)
            split = "val" if val_every and n % val_every == val_every - 1 else "train"
            if source is None:
                name = basename(view.video.frame_names[f]) if view.video.frame_names else f"{f:06d}.jpg"
                src = images / name
                if not src.is_file():
                    raise InputError(src, "image of a labelled frame not found")
                stem = Path(name).stem
                _link(src, tmp / "images" / split / (stem + src.suffix.lower()))
            else:
                stem = f"{images.stem}_{f:06d}"
                _write_jpeg(source.frame(f), tmp / "images" / split / f"{stem}.jpg")
            lines, outside = label_lines(view, f)
            counts["joints_outside_image"] += outside
            (tmp / "labels" / split / f"{stem}.txt").write_text("".join(line + "\n" for line in lines))
            counts["images"] += 1
            counts["people"] += len(lines)
            counts[split] += 1
    finally:
        if source is not None:
            source.close()
    flip = list(map(int, sk.flip_permutation()))
    (tmp / "data.yaml").write_text(_yaml(out, sk.num_joints, flip, "person", counts["val"] > 0))
    return counts


def _open(path: Path):
    from stdpose_core.video import open_source

    return open_source(path, prefetch=False)


def _link(src: Path, dst: Path) -> None:
    try:
        os.symlink(src.resolve(), dst)
    except OSError:  # no symlinks (Windows without the privilege, some file systems): copy
        shutil.copy2(src, dst)


def _write_jpeg(rgb: np.ndarray, path: Path) -> None:
    import cv2

    if not cv2.imwrite(str(path), cv2.cvtColor(np.ascontiguousarray(rgb), cv2.COLOR_RGB2BGR), [cv2.IMWRITE_JPEG_QUALITY, 95]):
        raise StdposeError(f"{path}: could not write the frame as JPEG")
