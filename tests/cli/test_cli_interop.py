"""Issue 15 through the ``stdpose`` CLI: --video, skeleton choices, photo collections, YOLO-pose and
COCO results exports, on the genuine shared files and the interop fixtures."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pytest

from stdpose_core.cli.main import main
from stdpose_core.io import read_annotations
from stdpose_core.io.fielddiff import field_differences
from stdpose_core.session import ProjectSession

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "interop"


def test_multi_video_posetrack_file_imports_with_video(shared_data, tmp_path, capsys):
    pt = shared_data / "posetrack18_samples"
    proj = tmp_path / "p.stdpose"
    assert main(["new", str(proj), str(pt / "images/val/009473_mpii_test")]) == 0
    merged = pt / "annotations/test_posetrack18_val.json"
    assert main(["import", str(proj), str(merged)]) == 2
    err = capsys.readouterr().err
    assert "holds 3 videos (012834, 009473, 003418)" in err and "--video" in err
    assert main(["import", str(proj), str(merged), "--video", "009473"]) == 0
    assert "imported 2 people" in capsys.readouterr().out
    assert main(["export", str(proj), "--format", "posetrack18", "-o", str(tmp_path / "out.json")]) == 0
    out = json.loads((tmp_path / "out.json").read_text())
    src = json.loads((pt / "annotations/val/009473_mpii_test.json").read_text())
    diff = field_differences(src, out)  # the official file comes back: ids, nframes 101, folder prefix, mask_file
    assert diff["lost"] == [] and diff["changed"] == [], diff


def test_skeleton_mismatch_is_a_choice_and_photo_collections_become_projects(shared_data, tmp_path, capsys):
    coco = shared_data / "coco_samples"
    photos = tmp_path / "photos"
    photos.mkdir()
    for p in coco.glob("*.jpg"):
        shutil.copy(p, photos / p.name)
    proj = tmp_path / "p.stdpose"
    assert main(["new", str(proj), str(photos)]) == 0  # four images of different sizes (item 7)
    assert "images of different sizes" in capsys.readouterr().out
    with ProjectSession.open(proj) as s:
        assert len({tuple(x) for x in s.project.video.frame_sizes}) == 4
    before = proj.read_bytes()
    assert main(["import", str(proj), str(coco / "test_coco.json")]) == 2
    err = capsys.readouterr().err
    assert "coco17 keypoints, the project posetrack18" in err and "drops left_eye" in err and "--convert" in err
    assert proj.read_bytes() == before  # refused: the project is untouched
    assert main(["import", str(proj), str(coco / "test_coco.json"), "--convert"]) == 0
    out = capsys.readouterr().out
    assert "imported 14 people, 169 joints" in out and "read 14 people, 14 person-frames, 181 labelled joints" in out
    assert "drops left_eye (10), right_eye (9)" in out

    # or: a project with the file's own skeleton, which gives the file back field by field
    proj2 = tmp_path / "p2.stdpose"
    assert main(["new", str(proj2), str(photos), "--import", str(coco / "test_coco.json")]) == 0
    assert "coco17" in capsys.readouterr().out
    assert main(["export", str(proj2), "--format", "coco", "-o", str(tmp_path / "c.json")]) == 0
    src, back = json.loads((coco / "test_coco.json").read_text()), json.loads((tmp_path / "c.json").read_text())
    diff = field_differences(src, back)
    assert diff["lost"] == [] and diff["changed"] == [], diff
    assert {im["id"]: (im["width"], im["height"]) for im in back["images"]} == {im["id"]: (im["width"], im["height"]) for im in src["images"]}


def test_yolo_pose_dataset_is_what_ultralytics_reads(shared_data, tmp_path, capsys):
    ul = pytest.importorskip("ultralytics.data.utils")
    coco = shared_data / "coco_samples"
    proj = tmp_path / "p.stdpose"
    photos = tmp_path / "photos"
    shutil.copytree(coco, photos, ignore=shutil.ignore_patterns("*.json"))
    assert main(["new", str(proj), str(photos), "--import", str(coco / "test_coco.json")]) == 0
    out = tmp_path / "yolo"
    assert main(["export", str(proj), "--format", "yolo-pose", "-o", str(out), "--val-every", "2"]) == 0
    assert "yolo pose train data=" in capsys.readouterr().out
    import yaml

    data = yaml.safe_load((out / "data.yaml").read_text())
    assert data["kpt_shape"] == [17, 3] and data["flip_idx"] == [0, 2, 1, 4, 3, 6, 5, 8, 7, 10, 9, 12, 11, 14, 13, 16, 15]
    assert data["names"] == {0: "person"} and data["train"] == "images/train" and data["val"] == "images/val"
    doc = json.loads((coco / "test_coco.json").read_text())
    persons = [a for a in doc["annotations"] if not a.get("iscrowd")]
    total, labelled = 0, 0
    for im in sorted((out / "images").rglob("*.jpg")):
        lb = out / "labels" / im.parent.name / (im.stem + ".txt")
        res = ul.verify_image_label((str(im), str(lb), "", True, 1, 17, 3, False))
        assert res[-1] == "" or "WARNING" not in res[-1], res[-1]
        assert res[0] is not None, f"ultralytics refused {lb}: {res[-1]}"
        total += len(res[1])
        labelled += int((res[4][..., 2] > 0).sum()) if res[4] is not None else 0
    assert total == len(persons)
    assert labelled == sum(1 for a in persons for v in a["keypoints"][2::3] if v > 0)
    assert main(["export", str(proj), "--format", "yolo-pose", "-o", str(out)]) == 2  # never into a used folder


def test_coco_results_export_scores_like_the_ground_truth(shared_data, tmp_path, capsys):
    coco = shared_data / "coco_samples/test_coco.json"
    proj = tmp_path / "p.stdpose"
    photos = tmp_path / "photos"
    shutil.copytree(coco.parent, photos, ignore=shutil.ignore_patterns("*.json"))
    assert main(["new", str(proj), str(photos), "--import", str(coco)]) == 0
    assert main(["export", str(proj), "--format", "coco-results", "-o", str(tmp_path / "res.json")]) == 0
    capsys.readouterr()
    res = json.loads((tmp_path / "res.json").read_text())
    assert isinstance(res, list) and all("score" in r for r in res)
    assert main(["eval", str(coco), str(tmp_path / "res.json"), "--metric", "oks", "--json"]) == 0
    r = json.loads(capsys.readouterr().out)
    assert r["oks_ap"] == pytest.approx(1.0) and r["pred_frames_matched"] == 4


def test_import_json_summary_names_what_was_kept(tmp_path, capsys):
    proj = tmp_path / "p.stdpose"
    frames = tmp_path / "frames"
    frames.mkdir()
    import cv2

    for f in range(4):
        cv2.imwrite(str(frames / f"{f:06d}.jpg"), np.zeros((720, 1280, 3), np.uint8))
    assert main(["new", str(proj), str(frames)]) == 0
    assert main(["import", str(proj), str(FIXTURES / "posetrack21_person_id.json"), "--json"]) == 0
    s = json.loads(capsys.readouterr().out.split("\n", 1)[1])
    assert s["format"] == "posetrack21" and s["people"] == 2 and "has_labeled_person" in s["carried_image_fields"]
    assert main(["export", str(proj), "--format", "posetrack21", "-o", str(tmp_path / "o.json")]) == 0
    out = json.loads((tmp_path / "o.json").read_text())
    src = json.loads((FIXTURES / "posetrack21_person_id.json").read_text())
    diff = field_differences(src, out)
    assert diff["lost"] == [] and diff["changed"] == [], diff
    assert read_annotations(tmp_path / "o.json").tracks[0].person_id == 17


def test_importing_a_skeleton_with_no_joint_in_common_is_one_line_and_changes_nothing(tmp_path, capsys):
    sio = pytest.importorskip("sleap_io")
    sk = sio.Skeleton(["head", "thorax"], name="fly")
    video = sio.Video(filename=str(tmp_path / "flies.mp4"), open_backend=False)
    inst = sio.Instance.from_numpy(np.array([[10.0, 20.0], [12.0, 30.0]]), skeleton=sk)
    sio.save_slp(sio.Labels([sio.LabeledFrame(video=video, frame_idx=0, instances=[inst])]), str(tmp_path / "flies.slp"))
    assert main(["synth", str(tmp_path / "clip"), "--frames", "4", "--persons", "1"]) == 0
    project = tmp_path / "p.stdpose"
    assert main(["new", str(project), str(tmp_path / "clip" / "frames")]) == 0
    before = project.read_bytes()
    capsys.readouterr()
    assert main(["import", str(project), str(tmp_path / "flies.slp")]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "no joint names in common" in err[0] and "looks like a bug" not in err[0]
    assert "stdpose new PROJECT VIDEO --import FILE" in err[0]
    assert project.read_bytes() == before
