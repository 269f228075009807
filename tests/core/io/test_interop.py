"""Issue 15: real files in, real consumers out — fixtures written from the public format documents
(tests/fixtures/interop) and the genuine shared files, read and written back field by field."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from stdpose_core.data import Project, Source, VideoInfo
from stdpose_core.errors import InputError
from stdpose_core.io import import_edit, import_summary, read_annotations, write_annotations
from stdpose_core.io.fielddiff import field_differences
from stdpose_core.skeleton import COCO17, POSETRACK18

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "interop"


def round_trip(path: Path, tmp_path: Path, fmt: str | None = None, **read) -> tuple[dict, dict, Project]:
    p = read_annotations(path, **read)
    fmt = fmt or p.meta["format"]
    out = tmp_path / f"out.{fmt}.json"
    write_annotations(p, out, fmt, skeleton=p.skeleton.name if fmt == "coco" else None)
    return json.loads(Path(path).read_text()), json.loads(out.read_text()), p


def assert_lossless(src: dict, out: dict, video: str | None = None) -> dict:
    if video is not None:  # one video of a multi-video file: compare that video's entries
        ids = {im["id"] for im in src["images"] if im.get("vid_id") == video}
        src = {**src, "images": [im for im in src["images"] if im["id"] in ids],
               "annotations": [a for a in src["annotations"] if a["image_id"] in ids]}
    diff = field_differences(src, out)
    assert diff["lost"] == [] and diff["changed"] == [], diff
    return diff


# ---- item 1: CVAT "COCO Keypoints 1.0" -------------------------------------------------------

def test_cvat_track_ids_come_from_attributes_and_empty_keypoints_are_a_box(tmp_path):
    p = read_annotations(FIXTURES / "cvat_coco_keypoints.json")
    assert sorted(p.tracks) == [0, 1, 2]  # two people over 3 frames and one box-only person, not 7 one-frame people
    assert p.tracks[0].present().tolist() == [True, True, True] and p.tracks[1].present().all()
    box_only = p.tracks[2]
    assert box_only.present().tolist() == [False, False, True] and not box_only.vis.any()
    assert p.tracks[0].vis[1, 0] == 1  # the occluded nose stays occluded
    src, out, _ = round_trip(FIXTURES / "cvat_coco_keypoints.json", tmp_path)
    assert_lossless(src, out)
    by_id = {a["id"]: a for a in out["annotations"]}
    assert by_id[7]["keypoints"] == [] and by_id[7]["attributes"] == {"occluded": False, "track_id": 2, "keyframe": True}
    assert by_id[3]["attributes"]["keyframe"] is False and by_id[3]["track_id"] == 0


# ---- item 2 / COCO: area, segmentation, crowd, sizes -----------------------------------------

def test_coco_area_segmentation_crowd_and_image_sizes_survive(tmp_path):
    src, out, p = round_trip(FIXTURES / "coco_segmentation_crowd.json", tmp_path)
    assert_lossless(src, out)
    ann = {a["id"]: a for a in out["annotations"]}
    assert ann[442619]["area"] == 27789.11055  # the segmentation's area, not the box area
    assert ann[442619]["segmentation"] == src["annotations"][0]["segmentation"]
    assert ann[900100003]["iscrowd"] == 1 and ann[900100003]["segmentation"]["counts"][:3] == [272, 2, 4]
    assert [im["id"] for im in out["images"]] == [139, 785, 872]  # the image without people is kept
    assert p.video.frame_sizes == [[640, 426], [640, 425], [621, 640]]
    assert {im["id"]: (im["width"], im["height"]) for im in out["images"]} == {139: (640, 426), 785: (640, 425), 872: (621, 640)}
    s = import_summary(p)
    assert s["crowd_regions"] == 1 and "segmentation" in s["carried_annotation_fields"]


# ---- PoseTrack21: person_id, has_labeled_person, box-only people (item 8) --------------------

def test_posetrack21_round_trip_keeps_box_only_people_and_person_ids(tmp_path):
    src, out, p = round_trip(FIXTURES / "posetrack21_person_id.json", tmp_path)
    assert_lossless(src, out)
    assert len(out["annotations"]) == len(src["annotations"]) == 8  # 4 box-only people on unlabelled frames too
    assert {t.person_id for t in p.tracks.values()} == {17, 23}
    assert p.tracks[0].vis[0, 7] == 1 and p.tracks[0].vis[0, 5] == 2  # v=0 with coordinates = occluded
    assert [im["has_labeled_person"] for im in out["images"]] == [True, False, True, False]


def test_box_only_people_on_unlabelled_frames_survive_every_format(tmp_path):
    p = read_annotations(FIXTURES / "posetrack21_person_id.json")
    for fmt in ("posetrack18", "posetrack21", "coco"):
        write_annotations(p, tmp_path / f"{fmt}.json", fmt, skeleton="posetrack18" if fmt == "coco" else None)
        back = read_annotations(tmp_path / f"{fmt}.json")
        assert {tid: t.present().tolist() for tid, t in back.tracks.items()} == {tid: t.present().tolist() for tid, t in p.tracks.items()}, fmt


# ---- item 4: PoseTrack18 visibility -----------------------------------------------------------

def test_official_posetrack18_visibility_reads_visible_and_exports_for_v_counting_tools(shared_data, tmp_path):
    path = shared_data / "posetrack18_samples/annotations/val/012834_mpii_test.json"
    doc = json.loads(path.read_text())
    labelled = sum(1 for a in doc["annotations"] for v in a["keypoints"][2::3] if v > 0)
    assert labelled == 142 and {v for a in doc["annotations"] for v in a["keypoints"][2::3]} == {0, 1}
    p = read_annotations(path)
    assert {int(v) for t in p.tracks.values() for v in np.unique(t.vis)} == {0, 2}
    for fmt, v_written in (("posetrack21", 1), ("coco", 2), ("posetrack18", 1)):
        write_annotations(p, tmp_path / f"{fmt}.json", fmt, skeleton="posetrack18" if fmt == "coco" else None)
        out = json.loads((tmp_path / f"{fmt}.json").read_text())
        vs = [v for a in out["annotations"] for v in a["keypoints"][2::3]]
        assert sum(1 for v in vs if v > 0) == labelled, fmt  # ultralytics' converter keeps joints with v > 0
        assert {v for v in vs if v > 0} == {v_written}, fmt


def test_our_own_posetrack18_keeps_occlusion_exactly(tmp_path, make_project):
    p = make_project(3)
    write_annotations(p, tmp_path / "a.json", "posetrack18")
    doc = json.loads((tmp_path / "a.json").read_text())
    assert doc["stdpose"]["visibility"] == "exact" and 2 in {v for a in doc["annotations"] for v in a["keypoints"][2::3]}
    back = read_annotations(tmp_path / "a.json")
    for tid, t in p.tracks.items():
        np.testing.assert_array_equal(back.tracks[tid].vis, t.vis)


# ---- item 3 and round trips of the genuine files ---------------------------------------------

@pytest.mark.parametrize("name", ["003418_mpii_test", "009473_mpii_test", "012834_mpii_test"])
def test_genuine_posetrack18_files_round_trip_field_by_field(shared_data, tmp_path, name):
    src, out, _ = round_trip(shared_data / f"posetrack18_samples/annotations/val/{name}.json", tmp_path)
    diff = assert_lossless(src, out)
    assert diff["added"] == []  # not even an extra field
    im = out["images"][0]
    assert im["file_name"] == f"images/val/{name}/000000.jpg" and im["mask_file"].startswith("mask/val/")
    assert out["categories"] == src["categories"] and len(out["categories"][0]["skeleton"]) == 19
    assert all(a["scores"] == [] for a in out["annotations"])


@pytest.mark.parametrize("video", ["003418", "009473", "012834"])
def test_merged_posetrack_file_round_trips_per_video(shared_data, tmp_path, video):
    src, out, p = round_trip(shared_data / "posetrack18_samples/annotations/test_posetrack18_val.json", tmp_path, video=video)
    assert_lossless(src, out, video=video)
    assert out["images"][0]["nframes"] == src["images"][[im["vid_id"] for im in src["images"]].index(video)]["nframes"]


def test_genuine_coco_file_round_trips_field_by_field(shared_data, tmp_path):
    src, out, _ = round_trip(shared_data / "coco_samples/test_coco.json", tmp_path)
    diff = assert_lossless(src, out)
    assert all(p.startswith("info.stdpose") or p.endswith((".frame_index", ".is_labeled", ".track_id")) for p in diff["added"]), diff["added"]
    assert [a["id"] for a in out["annotations"]] == [a["id"] for a in src["annotations"]]


def test_import_into_a_project_keeps_the_files_ids_names_and_fields(shared_data, tmp_path):
    """stdpose new FOLDER + import + export gives the official file back (item 3)."""
    path = shared_data / "posetrack18_samples/annotations/val/012834_mpii_test.json"
    src = json.loads(path.read_text())
    target = Project(POSETRACK18, VideoInfo("012834_mpii_test", 1, 1920, 1080, frame_names=["000000.jpg"]))
    import_edit(target, read_annotations(path)).apply(target)
    write_annotations(target, tmp_path / "out.json", "posetrack18")
    out = json.loads((tmp_path / "out.json").read_text())
    assert_lossless(src, out)
    im = out["images"][0]
    assert (im["id"], im["vid_id"], im["nframes"], im["file_name"]) == (10128340000, "012834", 140, "images/val/012834_mpii_test/000000.jpg")
    assert im["has_no_densepose"] is True and "mask_file" in im


# ---- item 5: skeleton mismatch is a choice ---------------------------------------------------

def test_skeleton_mismatch_states_the_loss(shared_data):
    from stdpose_core.io import SkeletonMismatchError

    loaded = read_annotations(shared_data / "coco_samples/test_coco.json")
    target = Project(POSETRACK18, VideoInfo("coco_samples", loaded.num_frames, 640, 480, frame_names=loaded.video.frame_names))
    with pytest.raises(SkeletonMismatchError, match=r"drops left_eye \(\d+\), right_eye \(\d+\).*181 labelled joints in, \d+ stored"):
        import_edit(target, loaded)
    s = import_summary(loaded, target)
    assert s["joints"] == 181 and s["stored_joints"] < 181 and s["loss"]["dropped"]["left_eye"] > 0
    import_edit(target, loaded, convert=True).apply(target)
    assert int(sum((t.vis > 0).sum() for t in target.tracks.values())) == s["stored_joints"]


# ---- item 10: new formats and what refusals say ----------------------------------------------

def test_label_studio_export_reads_through_sleap_io():
    pytest.importorskip("sleap_io")
    p = read_annotations(FIXTURES / "label_studio_keypoints.json")
    assert p.meta["format"] == "label-studio" and p.skeleton is COCO17  # its joint names are COCO's
    assert p.num_frames == 2 and p.video.frame_names == ["a1b2-walk_001.jpg", "c3d4-walk_002.jpg"]
    assert len(p.tracks) == 3
    t = next(t for t in p.tracks.values() if t.present()[0])
    # percent of the 800x600 image → pixels
    assert t.xy[0, COCO17.index("nose")].tolist() == pytest.approx([20 * 8.0, 10 * 6.0])
    assert any("rectanglelabels" in x for x in import_summary(p)["left_out"])


def test_deeplabcut_collected_data_csv_reads_through_sleap_io():
    pytest.importorskip("sleap_io")
    p = read_annotations(FIXTURES / "dlc/labeled-data/mouse1/CollectedData_Alex.csv")
    assert p.meta["format"] == "dlc" and set(p.skeleton.joint_names) == {"snout", "leftear", "rightear", "tailbase"}
    assert list(p.tracks) == [0] and p.tracks[0].present().all()  # one animal through the labelled frames
    t = p.tracks[0]
    sn = p.skeleton.index("snout")
    assert t.xy[:, sn].tolist() == [[10.5, 20.25], [12.5, 21.25], [14.5, 22.25]]
    assert t.vis[1, p.skeleton.index("rightear")] == 0  # the empty cells
    assert (p.video.width, p.video.height) == (64, 48)
    assert p.skeleton.flip_pairs == ((p.skeleton.index("leftear"), p.skeleton.index("rightear")),) or p.skeleton.flip_pairs


def test_sleap_slp_written_by_sleap_io_reads_with_tracks_and_occlusion(tmp_path):
    sio = pytest.importorskip("sleap_io")
    sk = sio.Skeleton(["head", "thorax", "abdomen"], edges=[("head", "thorax"), ("thorax", "abdomen")], name="fly")
    video = sio.Video(filename=str(tmp_path / "flies.mp4"), open_backend=False)
    tracks = [sio.Track("female"), sio.Track("male")]
    frames = []
    for f in range(3):
        insts = []
        for n, tr in enumerate(tracks):
            pts = np.array([[10 + f + 50 * n, 20.5], [12 + f + 50 * n, 30.0], [np.nan, np.nan] if (f, n) == (1, 1) else [14 + f + 50 * n, 40.0]])
            inst = sio.Instance.from_numpy(pts, skeleton=sk, track=tr)
            if (f, n) == (2, 0):
                inst.points["visible"][1] = False  # placed but marked not visible
            insts.append(inst)
        frames.append(sio.LabeledFrame(video=video, frame_idx=f * 5, instances=insts))
    sio.save_slp(sio.Labels(frames, videos=[video], skeletons=[sk], tracks=tracks), str(tmp_path / "flies.slp"))
    p = read_annotations(tmp_path / "flies.slp")
    assert p.meta["format"] == "sleap" and p.skeleton.name == "fly" and p.skeleton.edges == ((0, 1), (1, 2))
    assert sorted(p.tracks) == [0, 1] and [p.tracks[i].name for i in (0, 1)] == ["female", "male"]
    assert p.num_frames == 11 and np.flatnonzero(p.tracks[0].present()).tolist() == [0, 5, 10]
    assert p.tracks[1].vis[5].tolist() == [2, 2, 0] and p.tracks[0].vis[10].tolist() == [2, 1, 2]
    assert p.tracks[1].xy[0, 0].tolist() == [60.0, 20.5]


def test_x_anylabeling_folder_reads_groups_boxes_and_sizes():
    p = read_annotations(FIXTURES / "xanylabeling")
    assert p.meta["format"] == "labelme" and p.skeleton is COCO17
    assert p.video.frame_names == ["beach_01.jpg", "beach_02.jpg"] and p.video.frame_sizes == [[640, 480], [480, 640]]
    assert len(p.tracks) == 3
    t = p.tracks[0]
    assert t.bbox[0].tolist() == [90, 90, 140, 250] and t.vis[0, COCO17.index("left_knee")] == 1  # difficult → occluded
    assert any("polygon shape 'ball'" in x for x in import_summary(p)["left_out"])


@pytest.mark.parametrize("content,name,needle", [
    ('[{"id": 1, "data": {"image": "x.jpg"}, "annotations": []}]', "ls.json", None),
    ("scorer,Alex,Alex\nbodyparts,nose,nose\ncoords,x,y\nimg.png,1,2\n", "CollectedData_x.csv", None),
    ("frame,x,y\n0,1,2\n", "points.csv", "a CSV table whose first cell is 'frame'"),
    ('[{"image_id": 1, "bbox": [0, 0, 5, 5], "score": 0.9, "category_id": 1}]', "det.json", "a COCO detections file"),
    ('{"foo": 1, "bar": []}', "x.json", "an object with keys 'foo', 'bar'"),
    (b"\x89PNG\r\n\x1a\n....", "x.png", "an image, not an annotation file"),
])
def test_format_detection_names_what_it_saw(tmp_path, content, name, needle):
    path = tmp_path / name
    path.write_bytes(content) if isinstance(content, bytes) else path.write_text(content)
    from stdpose_core.io import sniff_path

    if needle is None:  # recognised: a Label Studio file is never 'a COCO results file?', a DLC CSV never 'invalid JSON'
        fmt = sniff_path(path)
        if fmt == "json":
            from stdpose_core.io import detect_format, load_json

            fmt = detect_format(load_json(path), str(path))
        assert fmt == ("label-studio" if name.endswith(".json") else "dlc")
        return
    with pytest.raises(InputError, match=needle) as e:
        read_annotations(path)
    assert str(e.value).startswith(str(path)) and "COCO results file?" not in str(e.value) and "invalid JSON" not in str(e.value)


# ---- COCO results in and out --------------------------------------------------------------

def test_coco_results_export_and_import_by_image_id(shared_data, tmp_path):
    gt = read_annotations(shared_data / "coco_samples/test_coco.json")
    pred = read_annotations(shared_data / "coco_samples/test_coco.json")
    rng = np.random.default_rng(1)
    for t in pred.tracks.values():
        on = t.vis > 0
        t.score[on] = rng.uniform(0.3, 1.0, on.sum()).astype(np.float32)
    write_annotations(pred, tmp_path / "res.json", "coco-results")
    res = json.loads((tmp_path / "res.json").read_text())
    assert isinstance(res, list) and {"image_id", "category_id", "keypoints", "score"} <= set(res[0])
    assert {r["image_id"] for r in res} <= {785, 40083, 196141, 197388}  # the file's own image ids
    standalone = read_annotations(tmp_path / "res.json")  # no names: frames are the image ids
    target = read_annotations(shared_data / "coco_samples/test_coco.json")
    fmap = __import__("stdpose_core.io", fromlist=["frame_mapping"]).frame_mapping(target, standalone)
    assert (fmap >= 0).all()
    back = read_annotations(tmp_path / "res.json", reference=gt)
    for tid, t in pred.tracks.items():
        lab = t.vis > 0
        np.testing.assert_array_equal(back.tracks[tid].xy[lab], t.xy[lab])
        np.testing.assert_array_equal(back.tracks[tid].score[lab], t.score[lab])


# ---- item 7: photo collections -----------------------------------------------------------------

def test_photo_collection_with_different_sizes_becomes_a_project(tmp_path):
    import cv2

    from stdpose_core.project_ops import create_project

    folder = tmp_path / "photos"
    folder.mkdir()
    src = json.loads((FIXTURES / "coco_segmentation_crowd.json").read_text())
    for im in src["images"]:
        cv2.imwrite(str(folder / im["file_name"]), np.full((im["height"], im["width"], 3), 90, np.uint8))
    with create_project(tmp_path / "p.stdpose", folder, "coco17") as s:
        assert s.project.video.frame_sizes == [[640, 426], [640, 425], [621, 640]]
        assert (s.project.video.width, s.project.video.height) == (640, 640)
        s.apply(import_edit(s.project, read_annotations(FIXTURES / "coco_segmentation_crowd.json"), Source.MANUAL))
    from stdpose_core.session import ProjectSession

    with ProjectSession.open(tmp_path / "p.stdpose") as s:  # sizes and carried fields are stored in the project
        assert s.project.video.frame_sizes[2] == [621, 640]
        write_annotations(s.project, tmp_path / "out.json", "coco")
    out = json.loads((tmp_path / "out.json").read_text())
    assert_lossless(src, out)
