"""Malformed input: one clear error naming the file and the problem; nothing imported."""

from __future__ import annotations

import copy
import json
import random
import tempfile
from pathlib import Path

import numpy as np
import pytest

from stdpose_core.data import Project, VideoInfo
from stdpose_core.errors import InputError
from stdpose_core.io import MAX_FILE_BYTES, import_edit, read_annotations, write_annotations
from stdpose_core.session import ProjectSession
from stdpose_core.skeleton import POSETRACK18


def posetrack_doc() -> dict:
    kp = []
    for j in range(17):
        kp += [100.0 + j, 200.0 + j, 1 if j not in (3, 4) else 0]
    kp[9:15] = [0, 0, 0, 0, 0, 0]
    images = [{"id": 10 + i, "frame_id": 10 + i, "vid_id": "000001", "file_name": f"images/v/{i:06d}.jpg",
               "nframes": 3, "is_labeled": True, "ignore_regions_x": [], "ignore_regions_y": []} for i in range(3)]
    anns = [{"id": 1000 + i, "image_id": 10 + i, "track_id": 0, "category_id": 1, "keypoints": list(kp),
             "bbox": [90, 190, 40, 60], "bbox_head": [95, 195, 10, 12], "scores": []} for i in range(3)]
    return {"images": images, "annotations": anns,
            "categories": [{"id": 1, "name": "person", "keypoints": list(POSETRACK18.joint_names), "skeleton": []}]}


def write(tmp_path, doc, name="a.json") -> str:
    path = tmp_path / name
    path.write_text(json.dumps(doc) if not isinstance(doc, str) else doc)
    return str(path)


def write_bytes(tmp_path, data: bytes) -> str:
    (tmp_path / "b.json").write_bytes(data)
    return str(tmp_path / "b.json")


def test_valid_document_reads(tmp_path):
    p = read_annotations(write(tmp_path, posetrack_doc()))
    assert p.num_frames == 3 and list(p.tracks) == [0] and p.tracks[0].present().all()


def broken(mutate):
    doc = posetrack_doc()
    mutate(doc)
    return doc


CASES = {
    "truncated": (lambda tp: write(tmp_path=tp, doc=json.dumps(posetrack_doc())[:-40]), "truncated JSON"),
    "not json": (lambda tp: write(tp, "\x89PNG\r\n binary stuff"), "invalid JSON"),
    "binary": (lambda tp: write_bytes(tp, b"\xff\xfe\x00garbage"), "not a JSON text file"),
    "empty": (lambda tp: write(tp, ""), "empty"),
    "wrong keypoint count": (lambda tp: write(tp, broken(lambda d: d["annotations"][1].update(keypoints=[1, 2, 1] * 15))),
                             r"annotations\[1\] \(id 1001\): wrong keypoint count: 15 keypoints, expected 17"),
    "missing image_id": (lambda tp: write(tp, broken(lambda d: d["annotations"][2].pop("image_id"))), "missing key 'image_id'"),
    "missing keypoints": (lambda tp: write(tp, broken(lambda d: d["annotations"][0].pop("keypoints"))), "missing key 'keypoints'"),
    "missing file_name": (lambda tp: write(tp, broken(lambda d: d["images"][0].pop("file_name"))), r"images\[0\]: missing key 'file_name'"),
    "missing annotations": (lambda tp: write(tp, broken(lambda d: d.pop("annotations"))), "missing key 'annotations'"),
    "nan literal": (lambda tp: write(tp, json.dumps(posetrack_doc()).replace("105.0", "NaN", 1)), "non-finite number NaN"),
    "null coordinate": (lambda tp: write(tp, broken(lambda d: d["annotations"][0]["keypoints"].__setitem__(3, None))), "NaN/null"),
    "huge coordinate": (lambda tp: write(tp, broken(lambda d: d["annotations"][0]["keypoints"].__setitem__(3, 1e300))), "out of range"),
    "string coordinate": (lambda tp: write(tp, broken(lambda d: d["annotations"][0]["keypoints"].__setitem__(3, "x"))), "only numbers"),
    "unknown image id": (lambda tp: write(tp, broken(lambda d: d["annotations"][1].update(image_id=999))), "unknown image_id 999"),
    "bad visibility": (lambda tp: write(tp, broken(lambda d: d["annotations"][0]["keypoints"].__setitem__(2, 3))), "visibility must be 0, 1 or 2"),
    "duplicate track": (lambda tp: write(tp, broken(lambda d: d["annotations"][1].update(image_id=10))), "track 0 appears twice"),
    "negative box": (lambda tp: write(tp, broken(lambda d: d["annotations"][0].update(bbox=[0, 0, -5, 10]))), "negative width"),
    "bad scores": (lambda tp: write(tp, broken(lambda d: d["annotations"][0].update(scores=[0.5] * 3))), "'scores' must be a list of 17"),
    "bad track id": (lambda tp: write(tp, broken(lambda d: d["annotations"][0].update(track_id="a"))), "'track_id' must be a non-negative integer"),
    "duplicate image id": (lambda tp: write(tp, broken(lambda d: d["images"][1].update(id=10))), "image id 10 is used twice"),
    "unknown format": (lambda tp: write(tp, {"foo": 1}), "unknown annotation format"),
    "list top level": (lambda tp: write(tp, [{"image_id": 1, "bbox": [0, 0, 1, 1]}]), "top level is a list"),
    "posetrack17": (lambda tp: write(tp, {"annolist": []}), "PoseTrack 2017"),
    "ragged regions": (lambda tp: write(tp, broken(lambda d: d["images"][0].update(ignore_regions_x=[[1, 2, 3]], ignore_regions_y=[[1, 2]]))),
                       "differ in length"),
    "missing file": (lambda tp: str(tp / "nope.json"), "file not found"),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_malformed_input_gives_one_clear_error(tmp_path, case):
    make, message = CASES[case]
    path = make(tmp_path)
    with pytest.raises(InputError, match=message) as info:
        read_annotations(path)
    text = str(info.value)
    assert text.startswith(str(path) + ": ") and "\n" not in text


def test_huge_file_refused_before_reading(tmp_path):
    path = tmp_path / "huge.json"
    with open(path, "wb") as f:  # sparse 2 GiB file: no disk space used, never read
        f.truncate(2 * (1 << 30))
    assert path.stat().st_size > MAX_FILE_BYTES
    with pytest.raises(InputError, match=r"2\.0 GiB; annotation files over 1 GiB are refused"):
        read_annotations(path)


def test_failed_import_changes_nothing_in_the_project_file(tmp_path):
    video = VideoInfo(path="v", num_frames=2, width=64, height=48, frame_names=["000000.jpg", "000001.jpg"])
    session = ProjectSession.create(tmp_path / "p.stdpose", Project(POSETRACK18, video))
    good = read_annotations(write(tmp_path, posetrack_doc(), "good.json"))
    # a file that is fine by itself but has a frame the project's video lacks (000002.jpg)
    with pytest.raises(InputError, match=r"good\.json: 1 annotated frame\(s\) do not fit the project's video: images/v/000002\.jpg"):
        session.apply(import_edit(session.project, good))
    # a file that is broken is refused before the project is even touched
    with pytest.raises(InputError):
        read_annotations(write(tmp_path, json.dumps(posetrack_doc())[:100], "bad.json"))
    session.close()
    reopened = ProjectSession.open(tmp_path / "p.stdpose")
    assert reopened.project.tracks == {} and not reopened.project.labeled.any()
    reopened.close()


def test_multi_person_fractional_visibility_is_prediction_confidence(tmp_path):
    doc = posetrack_doc()
    doc["annotations"][0]["keypoints"][2] = 0.75
    p = read_annotations(write(tmp_path, doc))
    assert p.tracks[0].vis[0, 0] == 2 and p.tracks[0].score[0, 0] == np.float32(0.75)


def test_zero_visibility_with_coordinates_counts_as_labelled_in_posetrack(tmp_path):
    doc = copy.deepcopy(posetrack_doc())
    doc["annotations"][0]["keypoints"][2] = 0  # (100, 200, 0): poseval counts this joint
    p = read_annotations(write(tmp_path, doc))
    assert p.tracks[0].vis[0, 0] == 1


# Random damage to a valid file never crashes the reader: it reads or raises InputError.
JUNK = [None, "x", -1, 0, 1.5, 3, [], {}, [1, 2], {"a": 1}, True, 1e300, "", [None] * 51]


def paths(obj, prefix=()):
    yield prefix
    if isinstance(obj, dict):
        for k, v in obj.items():
            yield from paths(v, prefix + (k,))
    elif isinstance(obj, list):
        for i, v in enumerate(obj[:60]):
            yield from paths(v, prefix + (i,))


def coco_doc() -> dict:
    """The same content as :func:`posetrack_doc`, as this project's COCO export."""
    with tempfile.TemporaryDirectory() as d:
        Path(d, "pt.json").write_text(json.dumps(posetrack_doc()))
        write_annotations(read_annotations(Path(d, "pt.json")), Path(d, "c.json"), "coco")
        return json.loads(Path(d, "c.json").read_text())


def damaged(rng: random.Random, base, keypoint_names: bool = True):
    doc = copy.deepcopy(base)
    if keypoint_names and rng.random() < 0.3:
        doc["categories"][0]["keypoints"] = rng.choice([["a"] * 17, [], None, list(range(17))])
    for _ in range(rng.randint(1, 3)):
        where = rng.choice(list(paths(doc))[1:])
        parent = doc
        for key in where[:-1]:
            parent = parent[key]
        if rng.random() < 0.2 and isinstance(parent, dict):
            parent.pop(where[-1], None)
        else:
            parent[where[-1]] = copy.deepcopy(rng.choice(JUNK))
    return doc


@pytest.mark.parametrize("kind", ["posetrack", "coco"])
def test_damaged_files_read_or_fail_cleanly(tmp_path, kind):
    base = posetrack_doc() if kind == "posetrack" else coco_doc()
    rng = random.Random(0)
    failures = 0
    for n in range(300):
        path = tmp_path / f"d{n}.json"
        path.write_text(json.dumps(damaged(rng, base)))
        try:
            read_annotations(path)
        except InputError as e:
            failures += 1
            assert str(e).startswith(str(path)) and "\n" not in str(e)
    assert failures > 100  # most damage is noticed


# The same for the layouts of issue 15 (tests/fixtures/interop): CVAT, PoseTrack21, COCO with crowd
# regions, X-AnyLabeling, Label Studio (through sleap-io) and COCO results.
INTEROP = Path(__file__).resolve().parents[2] / "fixtures" / "interop"


@pytest.mark.parametrize("name", ["cvat_coco_keypoints.json", "posetrack21_person_id.json", "coco_segmentation_crowd.json",
                                  "xanylabeling/beach_01.json", "label_studio_keypoints.json", "results"])
def test_damaged_interop_files_read_or_fail_cleanly(tmp_path, name):
    if name == "label_studio_keypoints.json":
        pytest.importorskip("sleap_io")
    if name == "results":
        base = [{"image_id": 785, "category_id": 1, "keypoints": [10.5, 20, 0.9] * 17, "score": 0.8, "track_id": n} for n in range(2)]
    else:
        base = json.loads((INTEROP / name).read_text())
    rng = random.Random(15)
    failures = 0
    for n in range(150):
        path = tmp_path / f"d{n}.json"
        path.write_text(json.dumps(damaged(rng, base, keypoint_names=False)))
        try:
            read_annotations(path)
        except InputError as e:
            failures += 1
            assert str(e).startswith(str(path)) and "\n" not in str(e)
    assert failures > 10  # damage is noticed
