"""Exporting a whole dataset the way each format's own datasets are laid out.

* PoseTrack18/21: a folder with one JSON file per video, ``OUT/<video name>.json``, like the
  official ``annotations/val/`` folders (``stdpose eval GT_DIR PRED_DIR`` scores such folders);
* COCO: one merged file ``OUT.json``: image, annotation and track ids unique over the dataset, image
  ``file_name`` relative to the dataset folder (``v00/frames/000000.jpg``), each image tagged with its
  ``video``;
* YOLO-pose: one folder ``OUT/`` as ``yolo pose train data=OUT/data.yaml`` reads it:
  ``images/{train,val}/<video>__<frame>.jpg`` and ``labels/...txt`` of every video, one ``data.yaml``;
  the split is by video (``val_every`` N: every N-th video of the dataset is validation, so no
  validation frame has a near-twin in training), none by default (val = train).

The merged formats export each video on its own first (checked: :func:`~stdpose_core.io.write_annotations`,
:func:`~stdpose_core.io.write_yolo_pose`) into ``DIR/.stdpose-dataset/exports/<job>/``; the merge
then joins those parts, so a resumed or sharded export redoes only the videos that changed. A
sharded run leaves the merge to a final run without ``--shard`` (which finds every part done and
only merges).
"""

from __future__ import annotations

import json
import posixpath
from pathlib import Path

from stdpose_core.data import Project
from stdpose_core.dataset.job_records import job_key
from stdpose_core.dataset.manifest import work_dir
from stdpose_core.errors import StdposeError
from stdpose_core.progress import Job, Progress

FOLDER_FORMATS = ("posetrack18", "posetrack21")
MERGED_FORMATS = ("coco", "yolo-pose")
DATASET_FORMATS = FOLDER_FORMATS + MERGED_FORMATS
#: Written into a merged YOLO folder: a later export may replace a folder that holds it.
YOLO_MARK = ".stdpose-dataset-export.json"


def check_params(params: dict) -> None:
    fmt = params.get("format")
    if fmt not in DATASET_FORMATS:
        raise StdposeError(f"dataset export format must be one of {', '.join(DATASET_FORMATS)}, not {fmt!r}")
    out = Path(params["output"])
    if fmt in FOLDER_FORMATS and out.exists() and not out.is_dir():
        raise StdposeError(f"{out}: {fmt} datasets are written as a folder (one file per video); this is a file")
    if fmt == "coco" and out.is_dir():
        raise StdposeError(f"{out}: a {fmt} dataset is one merged file; this is a folder (give e.g. {out / 'annotations.json'})")
    if fmt == "yolo-pose" and out.exists() and (not out.is_dir() or (any(out.iterdir()) and not (out / YOLO_MARK).is_file())):
        raise StdposeError(f"{out}: exists and is not an empty folder (nor an earlier dataset export); choose a new folder "
                           "for the YOLO dataset")
    if int(params.get("val_every") or 0) < 0:
        raise StdposeError(f"--val-every must be >= 0, got {params['val_every']}")


def part_path(root: str | Path, params: dict, name: str) -> Path:
    """Where one video's own export goes: the output folder, or the merge parts of a merged format
    (a file, or a folder for YOLO-pose)."""
    if params["format"] in FOLDER_FORMATS:
        out = Path(params["output"])
        out.mkdir(parents=True, exist_ok=True)
        return out / f"{name}.json"
    parts = work_dir(root, "exports", job_key("export", params))
    return parts / name if params["format"] == "yolo-pose" else parts / f"{name}.json"


def export_one(project: Project, task) -> Job[dict]:
    """One video's export (``task``: a :class:`~stdpose_core.dataset.work.VideoTask`)."""
    from stdpose_core.ops.jobs import export_job

    p = task.params
    part = part_path(task.root, p, task.name)
    if p["format"] == "yolo-pose":
        import shutil

        from stdpose_core.io import write_yolo_pose

        yield Progress(0, 1, "writing yolo-pose")
        shutil.rmtree(part, ignore_errors=True)  # an earlier part of this video (it changed since)
        counts = write_yolo_pose(project, part, Path(task.video), only_reviewed=p.get("only_reviewed", False))
        yield Progress(1, 1, "written")
        return {"people_written": counts["people"], "frames_written": counts["images"], **counts}
    summary = yield from export_job(project, part, p["format"], p.get("only_reviewed", False))
    summary.pop("path", None)
    return summary


def merge_coco(root: Path, params: dict, videos: list[tuple[str, Path]]) -> dict:
    """Join the COCO parts of ``videos`` (``(name, project path)``, dataset order) into one file.

    Returns ``{"output", "videos", "images", "annotations", "problems"}``; a part that is missing
    or holds another category is one line in ``problems`` and stays out of the file.
    """
    from stdpose_core.io.atomic import atomic_write_bytes

    out = Path(params["output"])
    images, anns, problems, listed = [], [], [], []
    category = None
    track_ids: dict[tuple[str, int], int] = {}
    for name, project in videos:
        part = part_path(root, params, name)
        try:
            doc = json.loads(part.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            problems.append(f"{name}: no exported part ({part}); left out of {out.name}")
            continue
        cat = doc["categories"][0]
        if category is None:
            category = cat
        elif cat.get("keypoints") != category.get("keypoints"):
            problems.append(f"{name}: its keypoints ({', '.join(cat.get('keypoints', [])[:3])}, ...) differ from the "
                            f"first video's; left out of {out.name}")
            continue
        folder = Path(project).parent.resolve().relative_to(root.resolve()).as_posix() if _inside(project, root) else ""
        new_image = {}
        for im in doc["images"]:
            new_image[im["id"]] = len(images) + 1
            images.append({**im, "id": len(images) + 1, "video": name,
                           "file_name": posixpath.join(folder, im["file_name"]) if folder not in ("", ".") else im["file_name"]})
        for a in doc["annotations"]:
            key = (name, int(a.get("track_id", -1)))
            tid = track_ids.setdefault(key, len(track_ids))
            anns.append({**a, "id": len(anns) + 1, "image_id": new_image[a["image_id"]], "track_id": tid})
        listed.append({"name": name, "images": len(doc["images"]), "num_frames": doc.get("info", {}).get("stdpose", {}).get("num_frames")})
    if category is None:
        raise StdposeError(f"{out}: no video was exported, nothing to merge")
    merged = {"info": {"description": f"dataset {root.name} exported by stdpose", "stdpose": {"videos": listed}},
              "images": images, "annotations": anns, "categories": [category]}
    data = json.dumps(merged, separators=(",", ":"), allow_nan=False).encode("utf-8")

    def check(tmp: Path) -> None:
        back = json.loads(tmp.read_text(encoding="utf-8"))
        ids = [im["id"] for im in back["images"]]
        aids = [a["id"] for a in back["annotations"]]
        if len(set(ids)) != len(images) or len(set(aids)) != len(anns) or not set(a["image_id"] for a in back["annotations"]) <= set(ids):
            raise StdposeError(f"{out}: merge check failed (ids not unique); nothing written")

    out.parent.mkdir(parents=True, exist_ok=True)
    atomic_write_bytes(out, data, check)
    return {"output": str(out), "videos": len(listed), "images": len(images), "annotations": len(anns), "problems": problems}


def _inside(path: Path, root: Path) -> bool:
    try:
        Path(path).resolve().relative_to(Path(root).resolve())
        return True
    except ValueError:
        return False


def merge_yolo(root: Path, params: dict, videos: list[tuple[str, Path]]) -> dict:
    """Join the YOLO-pose parts of ``videos`` into the folder ``params["output"]`` (built beside it
    and renamed into place; an earlier export there is replaced). Returns ``{"output", "videos",
    "images", "train", "val", "people", "problems"}``."""
    import os
    import shutil
    import tempfile

    import yaml

    out = Path(params["output"])
    val_every = int(params.get("val_every") or 0)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.", dir=out.parent))
    counts = {"images": 0, "train": 0, "val": 0, "people": 0}
    problems, shape, listed = [], None, []
    try:
        for split in ("train", "val"):
            (tmp / "images" / split).mkdir(parents=True)
            (tmp / "labels" / split).mkdir(parents=True)
        for i, (name, _) in enumerate(videos):
            part = part_path(root, params, name)
            try:
                data = yaml.safe_load((part / "data.yaml").read_text(encoding="utf-8"))
            except (OSError, yaml.YAMLError):
                problems.append(f"{name}: no exported part ({part}); left out of {out.name}")
                continue
            if shape is None:
                shape = {"kpt_shape": data["kpt_shape"], "flip_idx": data["flip_idx"], "names": data["names"]}
            elif data["kpt_shape"] != shape["kpt_shape"]:
                problems.append(f"{name}: {data['kpt_shape'][0]} keypoints, the first video {shape['kpt_shape'][0]}; "
                                f"left out of {out.name}")
                continue
            split = "val" if val_every and i % val_every == val_every - 1 else "train"
            for image in sorted((part / "images").glob("*/*")):
                stem = f"{name}__{image.stem}"
                _link_or_copy(image, tmp / "images" / split / f"{stem}{image.suffix}")
                label = part / "labels" / image.parent.name / f"{image.stem}.txt"
                lines = label.read_text(encoding="utf-8")
                (tmp / "labels" / split / f"{stem}.txt").write_text(lines, encoding="utf-8")
                counts["images"] += 1
                counts[split] += 1
                counts["people"] += sum(1 for ln in lines.splitlines() if ln.strip())
            listed.append({"name": name, "split": split})
        if shape is None:
            raise StdposeError(f"{out}: no video was exported, nothing to merge")
        doc = {"path": str(out.resolve()), "train": "images/train", "val": "images/val" if counts["val"] else "images/train", **shape}
        (tmp / "data.yaml").write_text(yaml.safe_dump(doc, sort_keys=False), encoding="utf-8")
        (tmp / YOLO_MARK).write_text(json.dumps({"dataset": str(root), "videos": listed}), encoding="utf-8")
        old = None
        if out.exists():  # checked at the start: empty, or an earlier export of a dataset
            old = out.with_name(f".{out.name}.old")
            shutil.rmtree(old, ignore_errors=True)
            os.replace(out, old)
        os.replace(tmp, out)
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return {"output": str(out), "videos": len(listed), **counts, "problems": problems}


def _link_or_copy(src: Path, dst: Path) -> None:
    """``dst`` as a hard link to ``src``'s file (an image of a folder: a symbolic link to the original,
    as one video's export makes it), or a copy where links cannot be made."""
    import os
    import shutil

    if src.is_symlink():
        try:
            os.symlink(src.resolve(), dst)
            return
        except OSError:
            pass
    try:
        os.link(src.resolve(), dst)
    except OSError:
        shutil.copy2(src.resolve(), dst)


def finish_export(root: Path, params: dict, videos: list[tuple[str, Path]], sharded: bool) -> Job[dict]:
    """After every video's export: the folder's summary, or the merged file (not for a shard)."""
    fmt, out = params["format"], Path(params["output"])
    if fmt in FOLDER_FORMATS:
        return {"output": str(out), "files": sum(1 for name, _ in videos if (out / f"{name}.json").is_file())}
    if sharded:
        return {"output": str(out), "merged": False,
                "note": f"a shard exports its videos only; run the same export without --shard to write {out.name}"}
    yield Progress(0, 1, f"merging {len(videos)} videos into {out.name}")
    summary = (merge_yolo if fmt == "yolo-pose" else merge_coco)(root, params, videos)
    yield Progress(1, 1, "merged")
    return summary
