"""Property: a PoseTrack18, PoseTrack21 or COCO file read and written back in its format loses and
changes no field (issue 15) — random documents with ids of any size, float coordinates of any
spelling, unknown extra fields at every level, missing optional fields, and both PoseTrack18
visibility conventions; and writing what was read twice gives the same file."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from stdpose_core.io import read_annotations, write_annotations
from stdpose_core.io.fielddiff import field_differences
from stdpose_core.skeleton import COCO17, POSETRACK18

MODELLED = {"id", "image_id", "file_name", "frame_id", "vid_id", "nframes", "is_labeled", "width", "height", "ignore_regions_x",
            "ignore_regions_y", "frame_index", "track_id", "person_id", "category_id", "keypoints", "scores", "num_keypoints", "iscrowd",
            "bbox", "bbox_head", "area", "images", "annotations", "categories", "info", "stdpose"}

json_scalar = st.one_of(st.none(), st.booleans(), st.integers(-10**12, 10**12), st.text(max_size=6),
                        st.floats(-1e6, 1e6, allow_nan=False, allow_infinity=False))
json_value = st.recursive(json_scalar,
                          lambda c: st.one_of(st.lists(c, max_size=3), st.dictionaries(st.text("abcxyz_", min_size=1, max_size=5), c, max_size=3)),
                          max_leaves=6)
extra_fields = st.dictionaries(st.text("abcdefghijklmnopqrstuvwxyz_", min_size=1, max_size=8).filter(lambda k: k not in MODELLED),
                               json_value, max_size=3)
coord = st.one_of(st.integers(1, 3000), st.floats(0.5, 3000, allow_nan=False).map(lambda v: round(v, 7)))


@st.composite
def keypoints(draw, k: int, vis_values: tuple[int, ...]) -> list:
    out = []
    for _ in range(k):
        v = draw(st.sampled_from(vis_values))
        out += [0, 0, 0] if v == 0 else [draw(coord), draw(coord), v]
    return out


@st.composite
def box(draw) -> list:
    return [draw(coord), draw(coord), draw(st.floats(1, 500, allow_nan=False).map(lambda v: round(v, 9))), draw(st.floats(1, 500, allow_nan=False))]


@st.composite
def posetrack_doc(draw, fmt: str) -> dict:
    vid = draw(st.from_regex(r"\A[0-9]{6}\Z"))
    nframes = draw(st.integers(1, 6))
    listed = sorted(draw(st.sets(st.integers(0, nframes - 1), min_size=1)))
    official = fmt == "posetrack21" or draw(st.booleans())
    vis_values = (0, 1) if official else (0, 1, 2)
    images, anns = [], []
    base = int(f"1{vid}0000")
    for f in listed:
        im = {"id": base + f, "frame_id": base + f, "vid_id": vid, "file_name": f"images/val/{vid}_mpii_test/{f:06d}.jpg",
              "nframes": nframes, "is_labeled": draw(st.booleans()), **draw(extra_fields)}
        if draw(st.booleans()):
            im["ignore_regions_x"], im["ignore_regions_y"] = [[1, 50.5, 50.5]], [[2, 2, 40.25]]
        if draw(st.booleans()):
            im["width"], im["height"] = 1920, 1080
        if fmt == "posetrack21":
            im["has_labeled_person"] = draw(st.booleans())
        images.append(im)
        for n, tid in enumerate(sorted(draw(st.sets(st.integers(0, 30), max_size=3)))):
            a = {"id": (base + f) * 100 + n, "image_id": base + f, "track_id": tid, "category_id": 1,
                 "keypoints": draw(keypoints(17, vis_values)), "scores": [], **draw(extra_fields)}
            if official and not any(a["keypoints"][2::3]):
                a["keypoints"][2] = 1  # a person needs a joint or a box to exist
                a["keypoints"][0:2] = [5, 5]
            if fmt == "posetrack21":
                a["person_id"] = tid + 1000
            if draw(st.booleans()):
                a["bbox"] = draw(box())
            if draw(st.booleans()):
                a["bbox_head"] = draw(box())
            a["num_keypoints"] = sum(1 for v in a["keypoints"][2::3] if v > 0)
            if fmt == "posetrack21":  # PoseTrack21 counts visible joints, 0 with coordinates is occluded
                a["num_keypoints"] = sum(1 for i in range(17) if a["keypoints"][3 * i: 3 * i + 2] != [0, 0])
            anns.append(a)
    if not official and not any(v == 2 for a in anns for v in a["keypoints"][2::3]) and anns:
        anns[0]["keypoints"][0:3] = [7, 7, 2]  # the exact convention shows itself by a v = 2
        anns[0]["num_keypoints"] = sum(1 for v in anns[0]["keypoints"][2::3] if v > 0)
    cat = {"supercategory": "person", "id": 1, "name": "person", "keypoints": list(POSETRACK18.joint_names),
           "skeleton": [[16, 14], [14, 12], [2, 3], [1, 2]]}
    return {"images": images, "annotations": anns, "categories": [cat], **draw(extra_fields)}


@st.composite
def coco_doc(draw) -> dict:
    ids = sorted(draw(st.sets(st.integers(1, 10**12), min_size=1, max_size=4)))
    images, anns = [], []
    ann_ids = iter(sorted(draw(st.sets(st.integers(1, 10**12), min_size=20, max_size=20))))
    for n, i in enumerate(ids):
        images.append({"id": i, "file_name": f"{n:012d}.jpg", "width": draw(st.integers(50, 800)), "height": draw(st.integers(50, 800)),
                       **draw(extra_fields)})
        for _ in range(draw(st.integers(0, 3))):
            kp = draw(keypoints(17, (0, 1, 2)))
            a = {"id": next(ann_ids), "image_id": i, "category_id": 1, "keypoints": kp, "num_keypoints": sum(1 for v in kp[2::3] if v),
                 "iscrowd": 0, "bbox": draw(box()), "area": draw(st.floats(1, 1e5, allow_nan=False)),
                 "segmentation": [[1.5, 2, 30, 2, 30, 40]], **draw(extra_fields)}
            anns.append(a)
        if draw(st.booleans()):
            anns.append({"id": next(ann_ids), "image_id": i, "category_id": 1, "iscrowd": 1, "keypoints": [0] * 51, "num_keypoints": 0,
                         "bbox": [0, 0, 10, 10], "area": 100, "segmentation": {"counts": [1, 2, 3], "size": [10, 10]}})
    cat = {"supercategory": "person", "id": 1, "name": "person", "keypoints": list(COCO17.joint_names), "skeleton": [[1, 2], [1, 3]]}
    return {"info": {"year": 2017, **draw(extra_fields)}, "licenses": [{"id": 1, "name": "x"}], "images": images, "annotations": anns,
            "categories": [cat], **draw(extra_fields)}


def round_trip(doc: dict, fmt: str) -> tuple[str, dict, dict, dict]:
    """Read ``doc``, write it as ``fmt``, read and write that again: (format read, field differences
    between ``doc`` and the first write, the first write, the second write)."""
    with tempfile.TemporaryDirectory() as d:
        src = Path(d, "src.json")
        src.write_text(json.dumps(doc))
        p = read_annotations(src)
        write_annotations(p, Path(d, "a.json"), fmt, skeleton=p.skeleton.name if fmt == "coco" else None)
        out = json.loads(Path(d, "a.json").read_text())
        again = read_annotations(Path(d, "a.json"))
        write_annotations(again, Path(d, "b.json"), fmt, skeleton=p.skeleton.name if fmt == "coco" else None)
        return p.meta["format"], field_differences(doc, out), out, json.loads(Path(d, "b.json").read_text())


SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


@SETTINGS
@given(posetrack_doc("posetrack18"))
def test_posetrack18_round_trip_is_lossless(doc):
    read_as, diff, first, second = round_trip(doc, "posetrack18")
    assert read_as == "posetrack18"
    assert diff["lost"] == [] and diff["changed"] == [], diff
    assert second == first


@SETTINGS
@given(posetrack_doc("posetrack21"))
def test_posetrack21_round_trip_is_lossless(doc):
    read_as, diff, first, second = round_trip(doc, "posetrack21")
    assert read_as == "posetrack21"
    assert diff["lost"] == [] and diff["changed"] == [], diff
    assert second == first


@SETTINGS
@given(coco_doc())
def test_coco_round_trip_is_lossless(doc):
    read_as, diff, first, second = round_trip(doc, "coco")
    assert read_as == "coco"
    assert diff["lost"] == [] and diff["changed"] == [], diff
    assert second == first
