"""Dataset exports in the formats' own layouts, scored the way poseval scores folders."""

from __future__ import annotations

import contextlib
import io
import json
from pathlib import Path

import pytest

from stdpose_core.data import Source
from stdpose_core.dataset import batch_job, load
from stdpose_core.errors import StdposeError
from stdpose_core.eval.folders import evaluate_folders
from stdpose_core.io import import_edit, read_annotations
from stdpose_core.progress import run_to_completion
from stdpose_core.session import ProjectSession


def load_any(path: str, video=None, reference=None):
    from stdpose_core.cli.cmd_eval import load_any as load

    return load(path, video, reference)


def with_full_gt(root: Path) -> Path:
    """Every project holds its whole ground truth (not only keyframes)."""
    from stdpose_core.data.edits import DeleteTrack

    for e in load(root).entries:
        with ProjectSession.open(e.project_path(root)) as s:
            for tid in list(s.project.tracks):
                s.apply(DeleteTrack(tid))
            s.apply(import_edit(s.project, read_annotations(e.gt_path(root)), Source.MANUAL))
    return root


def export(root: Path, fmt: str, out: Path, **kw):
    return run_to_completion(batch_job(root, "export", {"format": fmt, "output": str(out)}, **kw))


@pytest.mark.parametrize("fmt", ["posetrack18", "posetrack21"])
def test_posetrack_folder_scores_100_against_itself_and_the_ground_truth(dataset, tmp_path, fmt):
    with_full_gt(dataset)
    out = tmp_path / "val"
    result = export(dataset, fmt, out)
    assert result.total["files"] == 5
    files = sorted(p.name for p in out.iterdir())
    assert files == [f"v0{i}_clip.json" for i in range(5)]  # one file per video, like annotations/val/
    doc = json.loads((out / "v00_clip.json").read_text())
    assert len(doc["images"]) == 16 and doc["annotations"]
    score, notes = evaluate_folders(out, out, load_any)
    assert score["map"] == pytest.approx(100.0) and score["videos"] == 5 and score["frames"] == 80 and not notes
    gt_dir = tmp_path / "gt"
    gt_dir.mkdir()
    for e in load(dataset).entries:
        (gt_dir / f"{e.name}.json").write_bytes(e.gt_path(dataset).read_bytes())
    score, _ = evaluate_folders(gt_dir, out, load_any)
    assert score["map"] == pytest.approx(100.0) and score["pckh05"] == pytest.approx(100.0)


def test_folder_score_pools_frames_and_names_missing_files(dataset, tmp_path):
    out = tmp_path / "pred"
    export(dataset, "posetrack18", out)  # keyframes only: the frames between are missed
    gt_dir = tmp_path / "gt"
    gt_dir.mkdir()
    for e in load(dataset).entries:
        (gt_dir / f"{e.name}.json").write_bytes(e.gt_path(dataset).read_bytes())
    (out / "v04_clip.json").rename(out / "stray.json")
    score, notes = evaluate_folders(gt_dir, out, load_any, per_video=True)
    assert len(notes) == 2
    assert any("no prediction for v04_clip.json" in n for n in notes) and any("stray.json" in n for n in notes)
    assert score["videos"] == 5 and score["frames"] == 80
    assert score["by_video"]["v04_clip"]["map"] == pytest.approx(0.0)
    # Pooled, not averaged: recompute from the per-video files joined into one list of frames.
    assert 0 < score["map"] < 100 and score["pckh05"] == pytest.approx(4 * 4 / 16 / 5 * 100, abs=0.5)


def test_merged_coco_has_unique_ids_and_loads_in_pycocotools(dataset, tmp_path):
    with_full_gt(dataset)
    out = tmp_path / "coco" / "train.json"
    result = export(dataset, "coco", out)
    assert result.total["videos"] == 5 and result.total["images"] == 80 and result.total["annotations"] == 240
    doc = json.loads(out.read_text())
    assert len({im["id"] for im in doc["images"]}) == 80 and len({a["id"] for a in doc["annotations"]}) == 240
    assert len({a["track_id"] for a in doc["annotations"]}) == 15  # 3 people in each of 5 videos
    names = [im["file_name"] for im in doc["images"]]
    assert names[0] == "v00/clip/000000.jpg" and len(set(names)) == 80
    assert {im["video"] for im in doc["images"]} == set(load(dataset).names())
    from pycocotools.coco import COCO
    from pycocotools.cocoeval import COCOeval

    with contextlib.redirect_stdout(io.StringIO()):
        gt = COCO(str(out))
        dt = gt.loadRes([{"image_id": a["image_id"], "category_id": 1, "keypoints": a["keypoints"], "score": 1.0}
                         for a in doc["annotations"]])
        ev = COCOeval(gt, dt, "keypoints")
        ev.evaluate()
        ev.accumulate()
        ev.summarize()
    assert ev.stats[0] == pytest.approx(1.0)


def test_merged_coco_of_image_folders_names_real_files(tmp_path):
    from stdpose_core.dataset.synthetic import write_synthetic_dataset

    root = run_to_completion(write_synthetic_dataset(tmp_path / "ds", videos=2, frames=8, fmt="frames"))
    result = export(root, "coco", tmp_path / "c.json")
    doc = json.loads((tmp_path / "c.json").read_text())
    assert result.total["images"] > 0
    assert all((root / im["file_name"]).is_file() for im in doc["images"])  # relative to the dataset folder


def test_sharded_coco_export_merges_in_a_final_run(dataset, tmp_path):
    out = tmp_path / "c.json"
    parts = [export(dataset, "coco", out, shard=(i, 2)) for i in range(2)]
    assert all(p.total.get("merged") is False for p in parts) and not out.exists()
    final = export(dataset, "coco", out)
    assert {o.status for o in final.outcomes} == {"skipped"} and final.total["videos"] == 5 and out.is_file()


def test_export_refuses_the_wrong_kind_of_output(dataset, tmp_path):
    (tmp_path / "f.json").write_text("{}")
    with pytest.raises(StdposeError, match="written as a folder"):
        export(dataset, "posetrack18", tmp_path / "f.json")
    with pytest.raises(StdposeError, match="one merged file"):
        export(dataset, "coco", tmp_path)
    with pytest.raises(StdposeError, match="must be one of"):
        export(dataset, "yaml", tmp_path / "x")


def test_dataset_eval_scores_each_video_and_all_pooled(dataset):
    result = run_to_completion(batch_job(dataset, "eval"))
    assert {o.status for o in result.outcomes} == {"done"}
    assert all(o.summary["frames"] == 16 for o in result.outcomes)
    assert result.total["videos"] == 5 and result.total["frames"] == 80 and 0 < result.total["map"] < 100
    again = run_to_completion(batch_job(dataset, "eval"))
    assert {o.status for o in again.outcomes} == {"skipped"} and again.total["map"] == result.total["map"]


def test_eval_without_ground_truth_is_not_ready(dataset, tmp_path):
    result = run_to_completion(batch_job(dataset, "eval", gt_dir=tmp_path))
    assert {o.status for o in result.outcomes} == {"not ready"} and result.total == {}
    assert "ground-truth file not found" in result.outcomes[0].message


@pytest.mark.parametrize("fmt", ["mp4", "frames"])
def test_yolo_pose_dataset_is_what_ultralytics_reads(tmp_path, fmt):
    ul = pytest.importorskip("ultralytics.data.utils")
    import yaml

    from stdpose_core.dataset.synthetic import write_synthetic_dataset

    root = run_to_completion(write_synthetic_dataset(tmp_path / "ds", videos=3, frames=8, fmt=fmt, every=None))
    out = tmp_path / "yolo"
    result = run_to_completion(batch_job(root, "export", {"format": "yolo-pose", "output": str(out), "val_every": 3}))
    assert {o.status for o in result.outcomes} == {"done"}
    t = result.total
    assert (t["videos"], t["images"], t["train"], t["val"], t["people"]) == (3, 24, 16, 8, 72)
    data = yaml.safe_load((out / "data.yaml").read_text())
    assert data["kpt_shape"] == [17, 3] and data["val"] == "images/val" and data["names"] == {0: "person"}
    images = sorted((out / "images").rglob("*.jpg"))
    assert len(images) == 24 and images[0].name.startswith("v00_")
    assert {p.name.split("__")[0] for p in (out / "images" / "val").iterdir()} == {load(root).names()[2]}  # split by video
    people = 0
    for im in images:
        lb = out / "labels" / im.parent.name / (im.stem + ".txt")
        res = ul.verify_image_label((str(im), str(lb), "", True, 1, 17, 3, False))
        assert res[0] is not None, f"ultralytics refused {lb}: {res[-1]}"
        people += len(res[1])
    assert people == 72
    # Again after one video changed: only it is exported again, and the folder is replaced whole.
    e = load(root).entries[1]
    with ProjectSession.open(e.project_path(root)) as s:
        from stdpose_core.data.edits import DeleteTrack

        s.apply(DeleteTrack(min(s.project.tracks)))
    again = run_to_completion(batch_job(root, "export", {"format": "yolo-pose", "output": str(out), "val_every": 3}))
    assert [o.status for o in again.outcomes] == ["skipped", "done", "skipped"] and again.total["people"] == 64


def test_yolo_pose_never_writes_into_a_foreign_folder(dataset, tmp_path):
    (tmp_path / "mine").mkdir()
    (tmp_path / "mine" / "thesis.tex").write_text("precious")
    with pytest.raises(StdposeError, match="not an empty folder"):
        export(dataset, "yolo-pose", tmp_path / "mine")
    assert (tmp_path / "mine" / "thesis.tex").read_text() == "precious"
