"""``stdpose eval --metric oks`` equals pycocotools run on the files (issue 15 item 2): the GT
``area`` is the file's (its segmentation's), crowd regions are ignored regions, and a results
file's detections keep their ``score``."""

from __future__ import annotations

import contextlib
import io
import json
from pathlib import Path

import numpy as np
import pytest

from stdpose_core.cli.main import main
from stdpose_core.eval import evaluate
from stdpose_core.io import read_annotations

pytest.importorskip("pycocotools")

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "interop"


def pycocotools_ap(gt_path: Path, results: list) -> float:
    from pycocotools.coco import COCO
    from pycocotools.cocoeval import COCOeval

    with contextlib.redirect_stdout(io.StringIO()):
        coco_gt = COCO(str(gt_path))
        ev = COCOeval(coco_gt, coco_gt.loadRes(results), "keypoints")
        ev.evaluate()
        ev.accumulate()
        ev.summarize()
    return float(ev.stats[0])


def noisy_results(gt_doc: dict, seed: int, px: float) -> list:
    rng = np.random.default_rng(seed)
    out = []
    for a in gt_doc["annotations"]:
        if a.get("iscrowd"):
            continue
        kp = np.asarray(a["keypoints"], float).reshape(-1, 3)
        lab = kp[:, 2] > 0
        kp[lab, :2] += rng.normal(0, px, (lab.sum(), 2))
        kp[lab, 2] = 1
        out.append({"image_id": a["image_id"], "category_id": 1, "keypoints": np.round(kp, 2).ravel().tolist(),
                    "score": round(float(rng.uniform(0.5, 1)), 3)})
    # a detection on the crowd region's image, near the crowd box: ignored, not a false positive
    kp = np.zeros((17, 3))
    kp[5:, :2] = np.stack([np.linspace(20, 90, 12), np.linspace(15, 35, 12)], 1)
    kp[5:, 2] = 1
    out.append({"image_id": 872, "category_id": 1, "keypoints": kp.ravel().tolist(), "score": 0.95})
    return out


@pytest.mark.parametrize("seed,px", [(0, 2.0), (1, 6.0), (2, 12.0)])
def test_oks_ap_equals_pycocotools_on_the_files(tmp_path, seed, px, capsys):
    gt_path = FIXTURES / "coco_segmentation_crowd.json"
    results = noisy_results(json.loads(gt_path.read_text()), seed, px)
    (tmp_path / "res.json").write_text(json.dumps(results))
    want = pycocotools_ap(gt_path, results)
    gt = read_annotations(gt_path)
    pred = read_annotations(tmp_path / "res.json", reference=gt)
    got = evaluate(gt, pred, "oks")["oks_ap"]
    assert got == pytest.approx(want, abs=1e-12)
    assert main(["eval", str(gt_path), str(tmp_path / "res.json"), "--metric", "oks", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["oks_ap"] == pytest.approx(want, abs=1e-12)


def test_box_area_would_inflate_the_figure(tmp_path):
    """The defect of issue 15 item 2: with the box area as the scale, errors look smaller."""
    gt_path = FIXTURES / "coco_segmentation_crowd.json"
    doc = json.loads(gt_path.read_text())
    results = noisy_results(doc, 1, 6.0)
    for a in doc["annotations"]:
        x, y, w, h = a["bbox"]
        a["area"] = w * h
    (tmp_path / "boxarea.json").write_text(json.dumps(doc))
    assert pycocotools_ap(tmp_path / "boxarea.json", results) > pycocotools_ap(gt_path, results)
