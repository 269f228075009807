"""Export → read back keeps everything, for all three formats."""

from __future__ import annotations

import json

import numpy as np
import pytest

from stdpose_core.io import export_view, read_annotations, write_annotations
from stdpose_core.skeleton import convert_keypoints


def assert_same(a, b, skip_nan_boxes: bool = False) -> None:
    assert b.num_frames == a.num_frames
    assert b.skeleton.name == a.skeleton.name
    np.testing.assert_array_equal(b.labeled, a.labeled)
    assert sorted(b.ignore_regions) == sorted(a.ignore_regions)
    for f, polys in a.ignore_regions.items():
        assert len(b.ignore_regions[f]) == len(polys)
        for p, q in zip(polys, b.ignore_regions[f]):
            np.testing.assert_array_equal(q, p)
    assert sorted(b.tracks) == sorted(a.tracks)
    for tid, t in a.tracks.items():
        u = b.tracks[tid]
        np.testing.assert_array_equal(u.vis, t.vis)
        lab = t.vis > 0
        np.testing.assert_array_equal(u.xy[lab], t.xy[lab])
        np.testing.assert_array_equal(u.score[lab], t.score[lab])
        np.testing.assert_array_equal(u.head_bbox, t.head_bbox)
        if skip_nan_boxes:
            fin = np.isfinite(t.bbox)
            np.testing.assert_array_equal(u.bbox[fin], t.bbox[fin])
        else:
            np.testing.assert_array_equal(u.bbox, t.bbox)


@pytest.mark.parametrize("fmt", ["posetrack18", "posetrack21", "coco"])
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_round_trip_keeps_everything(tmp_path, make_project, fmt, seed):
    skeleton = "coco17" if fmt == "coco" else "posetrack18"
    p = make_project(seed, skeleton=skeleton)
    out = tmp_path / "a.json"
    write_annotations(p, out, fmt)
    back = read_annotations(out)
    assert back.meta["format"] == fmt
    assert set(np.unique(np.concatenate([t.vis.ravel() for t in back.tracks.values()]))) == {0, 1, 2}
    expected = p
    if fmt == "posetrack21":  # PoseTrack21 cannot express an occluded joint at exactly (0, 0): none here
        assert not any(((t.vis == 1) & (t.xy == 0).all(-1)).any() for t in p.tracks.values())
    assert_same(expected, back)
    assert back.video.frame_names == [f"frames/{i:06d}.jpg" for i in range(p.num_frames)]
    # writing what was read gives the same file again
    out2 = tmp_path / "b.json"
    write_annotations(back, out2, fmt)
    assert json.loads(out2.read_text()) == json.loads(out.read_text())


def test_posetrack_lists_every_frame_with_is_labeled(tmp_path, make_project):
    p = make_project(3)
    p.labeled[5] = False
    for t in p.tracks.values():
        t.vis[5] = 0
        t.xy[5] = 0
        t.score[5] = 0
        t.bbox[5] = np.nan
        t.head_bbox[5] = np.nan
    write_annotations(p, tmp_path / "a.json", "posetrack18")
    doc = json.loads((tmp_path / "a.json").read_text())
    assert len(doc["images"]) == p.num_frames
    assert [im["is_labeled"] for im in doc["images"]] == p.labeled.tolist()
    assert doc["images"][5]["is_labeled"] is False
    assert {im["nframes"] for im in doc["images"]} == {p.num_frames}
    assert doc["images"][1]["ignore_regions_x"][0] == [0, 50.5, 50.5, 0]
    ann = doc["annotations"][0]
    assert len(ann["keypoints"]) == 51 and len(ann["scores"]) == 17
    assert {"track_id", "image_id", "bbox", "id", "category_id"} <= set(ann)
    ids = [a["id"] for a in doc["annotations"]]
    assert len(set(ids)) == len(ids)


def test_bbox_written_as_xywh_and_head_box_kept(tmp_path, make_project):
    p = make_project(4)
    t = p.tracks[0]
    f = int(np.flatnonzero(t.present())[0])
    t.bbox[f] = [10.5, 20, 110.5, 220]
    t.head_bbox[f] = [30, 25, 50, 49]
    write_annotations(p, tmp_path / "a.json", "posetrack18")
    doc = json.loads((tmp_path / "a.json").read_text())
    ann = next(a for a in doc["annotations"] if a["track_id"] == 0 and a["image_id"] == doc["images"][f]["id"])
    assert ann["bbox"] == [10.5, 20, 100, 200]
    assert ann["bbox_head"] == [30, 25, 20, 24]


def test_coco_export_of_posetrack_project_converts_skeleton(tmp_path, make_project):
    p = make_project(5)
    write_annotations(p, tmp_path / "c.json", "coco")
    back = read_annotations(tmp_path / "c.json")
    assert back.skeleton.name == "coco17"
    for tid, t in p.tracks.items():
        xy, vis, score, _ = convert_keypoints(t.xy, t.vis, t.score, p.skeleton, back.skeleton)
        np.testing.assert_array_equal(back.tracks[tid].vis, vis)
        np.testing.assert_array_equal(back.tracks[tid].xy[vis > 0], xy[vis > 0])
    # the PoseTrack18 layout can be kept in a COCO-style file when asked
    write_annotations(p, tmp_path / "d.json", "coco", skeleton="posetrack18")
    assert_same(p, read_annotations(tmp_path / "d.json"))


def test_coco_to_posetrack_approximates_head_joints(tmp_path, make_project):
    p = make_project(6, skeleton="coco17")
    view = write_annotations(p, tmp_path / "a.json", "posetrack18")
    back = read_annotations(tmp_path / "a.json")
    assert back.skeleton.name == "posetrack18"
    assert_same(view, back)
    assert not any(t.vis[:, 3:5].any() for t in back.tracks.values())  # PoseTrack18 ears stay empty


def test_only_reviewed_writes_reviewed_frames(tmp_path, make_project):
    p = make_project(7)
    t0 = p.tracks[0]
    frames = np.flatnonzero(t0.present())[:2]
    t0.reviewed[frames] = True
    view = write_annotations(p, tmp_path / "r.json", "posetrack18", only_reviewed=True)
    back = read_annotations(tmp_path / "r.json")
    assert list(back.tracks) == [0]
    assert np.flatnonzero(back.labeled).tolist() == frames.tolist()
    np.testing.assert_array_equal(back.tracks[0].vis[frames], t0.vis[frames])
    assert_same(view, back)


def test_failed_self_check_leaves_target_untouched(tmp_path, make_project, monkeypatch):
    from stdpose_core.errors import StdposeError
    from stdpose_core.io import readback_check

    target = tmp_path / "keep.json"
    target.write_text('{"old": true}')
    monkeypatch.setattr(readback_check, "first_difference", lambda a, b: "track 0: visibility differ")
    with pytest.raises(StdposeError, match="export check failed"):
        write_annotations(make_project(8), target, "posetrack18")
    assert target.read_text() == '{"old": true}'
    assert [x.name for x in tmp_path.iterdir()] == ["keep.json"]  # no temporary file left behind


def test_unknown_format_is_a_clear_error(tmp_path, make_project):
    from stdpose_core.errors import StdposeError

    with pytest.raises(StdposeError, match="unknown annotation format 'mpii'"):
        write_annotations(make_project(), tmp_path / "x.json", "mpii")
    assert not (tmp_path / "x.json").exists()


def test_export_view_is_what_the_file_holds(make_project):
    p = make_project(9)
    view = export_view(p, "posetrack18")
    for tid, t in view.tracks.items():
        assert not t.present()[~view.labeled].any()
        np.testing.assert_array_equal(t.vis[view.labeled], p.tracks[tid].vis[view.labeled])
