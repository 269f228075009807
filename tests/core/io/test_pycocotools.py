"""Exported COCO files load in pycocotools, and COCOeval of GT against itself gives AP 1.0."""

from __future__ import annotations

import contextlib
import io
import json

import numpy as np
import pytest

from stdpose_core.io import write_annotations

pytest.importorskip("pycocotools")


def coco_ap_against_itself(path) -> float:
    from pycocotools.coco import COCO
    from pycocotools.cocoeval import COCOeval

    with contextlib.redirect_stdout(io.StringIO()):
        gt = COCO(str(path))
        dets = [{"image_id": a["image_id"], "category_id": a["category_id"], "keypoints": a["keypoints"], "score": 1.0}
                for a in gt.dataset["annotations"] if a["num_keypoints"] > 0]
        dt = gt.loadRes(dets)
        ev = COCOeval(gt, dt, "keypoints")
        ev.params.kpt_oks_sigmas = np.array(ev.params.kpt_oks_sigmas)
        ev.evaluate()
        ev.accumulate()
        ev.summarize()
    return float(ev.stats[0])


@pytest.mark.parametrize("skeleton", ["coco17", "posetrack18"])
def test_exported_coco_loads_and_scores_one_against_itself(tmp_path, make_project, skeleton):
    p = make_project(0, skeleton=skeleton, frames=10, people=4)
    write_annotations(p, tmp_path / "coco.json", "coco")
    doc = json.loads((tmp_path / "coco.json").read_text())
    assert doc["categories"][0]["keypoints"][1] == "left_eye"  # COCO-17 layout
    assert all(a["id"] > 0 and a["area"] > 0 and len(a["bbox"]) == 4 for a in doc["annotations"])
    assert {v for a in doc["annotations"] for v in a["keypoints"][2::3]} <= {0, 1, 2}
    assert coco_ap_against_itself(tmp_path / "coco.json") == pytest.approx(1.0)


def test_genuine_coco_sample_exports_and_scores_one(shared_data, tmp_path):
    from stdpose_core.io import read_annotations

    p = read_annotations(shared_data / "coco_samples/test_coco.json")
    write_annotations(p, tmp_path / "coco.json", "coco")
    assert coco_ap_against_itself(tmp_path / "coco.json") == pytest.approx(1.0)
