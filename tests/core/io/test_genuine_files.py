"""The genuine PoseTrack18 / COCO / JHMDB files in ../shared/data read correctly and round-trip."""

from __future__ import annotations

import json

import numpy as np
import pytest

from stdpose_core.io import list_videos, read_annotations, write_annotations


def test_posetrack18_val_file_fields(shared_data):
    path = shared_data / "posetrack18_samples/annotations/val/012834_mpii_test.json"
    doc = json.loads(path.read_text())
    p = read_annotations(path)
    assert p.meta["format"] == "posetrack18" and p.skeleton.name == "posetrack18"
    # one labelled frame listed out of nframes=140: frame index from the file name 000000.jpg
    assert p.num_frames == 140 and np.flatnonzero(p.labeled).tolist() == [0]
    assert p.video.frame_names[0] == "images/val/012834_mpii_test/000000.jpg"
    assert p.video.frame_names[7] == "images/val/012834_mpii_test/000007.jpg"
    assert p.video.path == "images/val/012834_mpii_test"
    assert (p.video.width, p.video.height) == (1920, 1080)
    assert sorted(p.tracks) == list(range(11))
    assert len(p.ignore_regions[0]) == len(doc["images"][0]["ignore_regions_x"]) == 4
    np.testing.assert_array_equal(p.ignore_regions[0][1][:, 0], doc["images"][0]["ignore_regions_x"][1])
    for ann in doc["annotations"]:
        t = p.tracks[ann["track_id"]]
        kp = np.asarray(ann["keypoints"], np.float64).reshape(17, 3)
        # official files: v = 1 on every labelled joint, no occlusion information → visible (2); issue 15 item 4
        np.testing.assert_array_equal(t.vis[0], np.where(kp[:, 2] == 1, 2, 0).astype(np.int8))
        np.testing.assert_array_equal(t.xy[0], kp[:, :2].astype(np.float32))
        x, y, w, h = ann["bbox_head"]
        np.testing.assert_array_equal(t.head_bbox[0], np.float32([x, y, x + w, y + h]))
        x, y, w, h = ann["bbox"]
        np.testing.assert_allclose(t.bbox[0], [x, y, x + w, y + h], rtol=1e-6)
        assert int((t.vis[0] > 0).sum()) == ann["num_keypoints"]
        assert not t.present()[1:].any()


@pytest.mark.parametrize("name", ["003418_mpii_test", "009473_mpii_test", "012834_mpii_test"])
@pytest.mark.parametrize("fmt", ["posetrack18", "posetrack21", "coco"])
def test_posetrack18_val_files_round_trip(shared_data, tmp_path, name, fmt):
    p = read_annotations(shared_data / f"posetrack18_samples/annotations/val/{name}.json")
    view = write_annotations(p, tmp_path / "out.json", fmt, skeleton="posetrack18" if fmt == "coco" else None)
    back = read_annotations(tmp_path / "out.json")
    assert sorted(back.tracks) == sorted(p.tracks)
    for tid, t in p.tracks.items():
        want = view.tracks[tid]
        np.testing.assert_array_equal(back.tracks[tid].vis, want.vis)
        np.testing.assert_array_equal(back.tracks[tid].head_bbox, t.head_bbox)
        lab = t.vis > 0
        np.testing.assert_array_equal(back.tracks[tid].xy[lab], t.xy[lab])
    np.testing.assert_array_equal(back.labeled, p.labeled)
    assert len(back.ignore_regions[0]) == len(p.ignore_regions[0])


def test_merged_multi_video_file_needs_a_video_choice(shared_data):
    from stdpose_core.errors import InputError

    path = shared_data / "posetrack18_samples/annotations/test_posetrack18_val.json"
    assert sorted(list_videos(path)) == ["003418", "009473", "012834"]
    with pytest.raises(InputError, match="holds 3 videos"):
        read_annotations(path)
    p = read_annotations(path, video="009473")
    assert len(p.tracks) == 2 and p.num_frames == 101


def test_coco_sample_keeps_visibility_exactly(shared_data, tmp_path):
    path = shared_data / "coco_samples/test_coco.json"
    doc = json.loads(path.read_text())
    p = read_annotations(path)
    assert p.meta["format"] == "coco" and p.skeleton.name == "coco17"
    assert p.num_frames == len(doc["images"]) == 4
    names = sorted(im["file_name"] for im in doc["images"])
    assert p.video.frame_names == names
    persons = [a for a in doc["annotations"] if not a.get("iscrowd")]
    assert len(p.tracks) == len(persons)
    vis_file = np.concatenate([np.asarray(a["keypoints"]).reshape(17, 3)[:, 2] for a in persons])
    vis_read = np.concatenate([p.tracks[i].vis[p.tracks[i].present()][0] for i in range(len(persons))])
    np.testing.assert_array_equal(np.sort(vis_read), np.sort(vis_file))
    assert {0, 1, 2} <= set(vis_file.tolist())
    write_annotations(p, tmp_path / "c.json", "coco")
    back = read_annotations(tmp_path / "c.json")
    for tid, t in p.tracks.items():
        np.testing.assert_array_equal(back.tracks[tid].vis, t.vis)
        np.testing.assert_array_equal(back.tracks[tid].xy, t.xy)


def test_jhmdb_clip_reads_every_frame_in_order(shared_data):
    p = read_annotations(shared_data / "jhmdb_goalkeeping/gt_posetrack18.json")
    assert p.num_frames == 40 and p.labeled.all()
    assert p.video.frame_names[:2] == ["frames/00001.png", "frames/00002.png"]
    assert list(p.tracks) == [0] and p.tracks[0].present().all()
    assert not np.isfinite(p.tracks[0].head_bbox).any()  # JHMDB has no head boxes
    assert not p.tracks[0].vis[:, 2].any()  # head_top unlabelled
