"""Number encoding is lossless; PoseTrack21 visibility and person ids; detection and naming details."""

from __future__ import annotations

import json

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from stdpose_core.data import Project, Track, VideoInfo
from stdpose_core.io import detect_format, read_annotations, write_annotations
from stdpose_core.io.encode import box_rows, compact, number_list
from stdpose_core.skeleton import POSETRACK18

finite32 = st.floats(-1e6, 1e6, width=32, allow_nan=False)


@settings(max_examples=200, deadline=None)
@given(arrays(np.float32, st.integers(1, 40), elements=finite32))
def test_compact_numbers_read_back_to_the_same_float32(values):
    text = json.dumps(number_list(values))
    np.testing.assert_array_equal(np.asarray(json.loads(text), np.float32), values)
    assert (np.abs(compact(values) - values.astype(np.float64)) <= np.abs(values.astype(np.float64)) * 1e-6 + 1e-6).all()


@settings(max_examples=200, deadline=None)
@given(arrays(np.float32, (8, 2), elements=finite32), arrays(np.float32, (8, 2), elements=st.floats(0, 5e3, width=32)))
def test_boxes_read_back_exactly(xy, wh):
    boxes = np.concatenate([xy, (xy.astype(np.float64) + wh).astype(np.float32)], axis=1)
    for box, row in zip(boxes, json.loads(json.dumps(box_rows(boxes)))):
        x, y, w, h = row
        np.testing.assert_array_equal(np.float32([x, y, x + w, y + h]), box)


def test_short_decimals_in_files():
    assert number_list(np.float32([409.5254211, 1079.0, 0.1])) == [409.52542, 1079, 0.1]


def posetrack21_doc() -> dict:
    kp = [0.0] * 51
    kp[0:3] = [10, 20, 1]  # nose visible
    kp[15:18] = [30, 40, 0]  # left shoulder: coordinates with v=0 -> occluded
    return {"images": [{"id": 1, "frame_id": 1, "vid_id": "000007", "file_name": "v/000000.jpg", "nframes": 1, "is_labeled": True}],
            "annotations": [{"id": 1, "image_id": 1, "track_id": 4, "person_id": 1234, "keypoints": kp, "bbox": [0, 0, 50, 60],
                             "bbox_head": [5, 5, 10, 10], "scores": []}],
            "categories": [{"id": 1, "name": "person", "keypoints": list(POSETRACK18.joint_names), "skeleton": []}]}


def test_posetrack21_visibility_and_person_id(tmp_path):
    path = tmp_path / "pt21.json"
    path.write_text(json.dumps(posetrack21_doc()))
    p = read_annotations(path)
    assert p.meta["format"] == "posetrack21"
    t = p.tracks[4]
    assert t.person_id == 1234
    assert t.vis[0, 0] == 2 and t.vis[0, 5] == 1 and (t.vis[0, [1, 2, 3, 4, 6]] == 0).all()
    write_annotations(p, tmp_path / "out.json", "posetrack21")
    ann = json.loads((tmp_path / "out.json").read_text())["annotations"][0]
    assert ann["person_id"] == 1234
    assert ann["keypoints"][0:3] == [10, 20, 1] and ann["keypoints"][15:18] == [30, 40, 0] and ann["keypoints"][3:6] == [0, 0, 0]


def test_detection():
    assert detect_format(posetrack21_doc(), "x") == "posetrack21"
    doc = posetrack21_doc()
    doc["annotations"][0].pop("person_id")
    assert detect_format(doc, "x") == "posetrack18"
    for im in doc["images"]:
        for k in ("vid_id", "frame_id", "nframes"):
            im.pop(k)
    assert detect_format(doc, "x") == "coco"


def test_project_of_a_video_file_gets_posetrack_style_names(tmp_path):
    p = Project(POSETRACK18, VideoInfo("../videos/clip.mp4", 3, 64, 48))
    t = Track.empty(0, 3, 17)
    t.vis[1, 0], t.xy[1, 0], t.score[1, 0] = 2, (5, 6), 1
    p.tracks[0] = t
    write_annotations(p, tmp_path / "a.json", "posetrack18")
    doc = json.loads((tmp_path / "a.json").read_text())
    assert [im["file_name"] for im in doc["images"]] == ["clip/000000.jpg", "clip/000001.jpg", "clip/000002.jpg"]
    assert [im["is_labeled"] for im in doc["images"]] == [False, True, False]
    assert doc["images"][0]["vid_id"] == "clip"


@pytest.mark.parametrize("listed,expected", [([0, 7, 14], [0, 7, 14]), ([1, 8, 40], [0, 7, 39])])
def test_partially_listed_video_placed_by_file_number(tmp_path, listed, expected):
    images = [{"id": i, "frame_id": i, "vid_id": "000001", "file_name": f"v/{n:05d}.png", "nframes": 40, "is_labeled": True}
              for i, n in enumerate(listed)]
    doc = {"images": images, "annotations": [], "categories": posetrack21_doc()["categories"]}
    (tmp_path / "a.json").write_text(json.dumps(doc))
    p = read_annotations(tmp_path / "a.json")
    assert p.num_frames == 40 and np.flatnonzero(p.labeled).tolist() == expected
    width = len(f"{listed[0]:05d}")
    assert p.video.frame_names[expected[1] + 1] == f"v/{expected[1] + 1 + (listed[0] - expected[0]):0{width}d}.png"
