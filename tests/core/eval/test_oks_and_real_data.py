"""COCO OKS AP via pycocotools, and ground truth against itself on generated and real data."""

from __future__ import annotations

import numpy as np
import pytest

from stdpose_core.eval import evaluate, format_table
from stdpose_core.io import read_annotations, write_annotations

pytest.importorskip("pycocotools")


def test_oks_ap_of_ground_truth_against_itself(two_by_two):
    _, gt = two_by_two
    r = evaluate(gt, gt, "oks")
    assert r["oks_ap"] == pytest.approx(1.0) and r["map"] == 100.0


def test_oks_ap_drops_with_errors(two_by_two, make_gt):
    people, gt = two_by_two
    noisy = {t: {f: xy + np.float32(15.0) for f, xy in poses.items()} for t, poses in people.items()}
    r = evaluate(gt, make_gt(noisy), "oks")
    assert 0.0 <= r["oks_ap"] < 0.5


def test_oks_without_predictions_is_zero(two_by_two, make_gt):
    _, gt = two_by_two
    assert evaluate(gt, make_gt({}), "oks")["oks_ap"] == 0.0


def test_exported_and_reread_ground_truth_scores_perfectly(tmp_path, two_by_two):
    _, p = two_by_two
    p.ignore_regions[1] = [np.array([[0, 0], [90, 0], [90, 90], [0, 90]], np.float32)]
    p.tracks[1].vis[0, 7] = 1  # an occluded joint
    for fmt in ("posetrack18", "posetrack21", "coco"):
        write_annotations(p, tmp_path / f"{fmt}.json", fmt, skeleton="posetrack18" if fmt == "coco" else None)
        back = read_annotations(tmp_path / f"{fmt}.json")
        r = evaluate(p, back, "oks")
        assert r["map"] == 100.0 and r["pckh05"] == 100.0 and r["oks_ap"] == pytest.approx(1.0), fmt


@pytest.mark.parametrize("rel", ["posetrack18_samples/annotations/val/012834_mpii_test.json",
                                 "coco_samples/test_coco.json", "jhmdb_goalkeeping/gt_posetrack18.json"])
def test_real_ground_truth_against_itself(shared_data, rel):
    gt = read_annotations(shared_data / rel)
    r = evaluate(gt, gt, "oks", labelled_only=True)
    assert r["map"] == 100.0 and r["pckh02"] == 100.0 and r["oks_ap"] == pytest.approx(1.0)
    # the default is poseval's figure: JHMDB never labels head_top, which scores 0 in the mean of 15
    official = evaluate(gt, gt, "oks")
    missing = ["head_top"] if "jhmdb" in rel else []
    assert official["not_labelled"] == missing
    assert official["map"] == pytest.approx(100.0 * (15 - len(missing)) / 15 if "coco_samples" not in rel else 100.0)
    assert r["norm"] == ("head" if "posetrack18_samples" in rel else "box")
    text = format_table(r)
    assert "Shoulder" in text and ("head-box" in text if r["norm"] == "head" else "person box" in text)


def test_real_prediction_with_noise_scores_below_perfect(shared_data):
    gt = read_annotations(shared_data / "posetrack18_samples/annotations/val/012834_mpii_test.json")
    pred = read_annotations(shared_data / "posetrack18_samples/annotations/val/012834_mpii_test.json")
    rng = np.random.default_rng(0)
    for t in pred.tracks.values():
        t.xy[0] += rng.normal(0, 6, t.xy[0].shape).astype(np.float32) * (t.vis[0] > 0)[:, None]
        t.score[0] = np.where(t.vis[0] > 0, rng.uniform(0.2, 1, 17), 0)
    r = evaluate(gt, pred)
    assert 20 < r["map"] < 100 and 0 < r["mean_px"] < 15
