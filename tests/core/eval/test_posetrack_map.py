"""PoseTrack mAP and PCK on hand-computed cases."""

from __future__ import annotations

import numpy as np
import pytest

from stdpose_core.eval import evaluate, joint_errors
from stdpose_core.skeleton import POSETRACK18

LW = POSETRACK18.index("left_wrist")


def moved(people, tid, f, joint, dx):
    out = {t: {fr: xy.copy() for fr, xy in poses.items()} for t, poses in people.items()}
    out[tid][f][joint, 0] += dx
    return out


def test_ground_truth_against_itself_is_perfect(two_by_two):
    _, gt = two_by_two
    r = evaluate(gt, gt)
    assert r["map"] == 100.0 and r["pckh05"] == 100.0 and r["pckh02"] == 100.0 and r["mean_px"] == 0.0
    assert r["norm"] == "head"
    assert set(r["table"]) == {"Head", "Shoulder", "Elbow", "Wrist", "Hip", "Knee", "Ankle", "Mean"}
    assert r["frames"] == 2 and r["gt_people"] == 4


def test_one_wrong_joint_with_low_score(two_by_two, make_gt):
    people, gt = two_by_two
    # head size = 0.6 * hypot(10, 10) = 8.49 px: a 20 px error is a miss at 0.5 and 0.2
    pred = make_gt(moved(people, 0, 0, LW, 20.0), score={(0, 0): np.where(np.arange(17) == LW, 0.5, 1.0)})
    r = evaluate(gt, pred)
    # left wrist: ranked TP, TP, TP (score 1), FP (0.5) of 4 GT -> AP 0.75; every other joint 100
    assert r["ap"]["left_wrist"] == pytest.approx(75.0)
    assert r["ap"]["right_wrist"] == pytest.approx(100.0)
    assert r["table"]["Wrist"] == pytest.approx(87.5)
    assert r["map"] == pytest.approx((14 * 100 + 75) / 15)
    assert r["table"]["Mean"] == r["map"]
    assert r["pckh05"] == pytest.approx(100 * 59 / 60) and r["pckh02"] == pytest.approx(100 * 59 / 60)
    assert r["mean_px"] == pytest.approx(20 / 60)


def test_one_wrong_joint_with_the_highest_score(two_by_two, make_gt):
    people, gt = two_by_two
    scores = {(t, f): np.where(np.arange(17) == LW, 0.9, 0.9) for t in (0, 1) for f in (0, 1)}
    scores[(0, 0)] = np.where(np.arange(17) == LW, 1.0, 0.9)
    pred = make_gt(moved(people, 0, 0, LW, 20.0), score=scores)
    # ranked FP, TP, TP, TP: precision 0, 1/2, 2/3, 3/4 at recall 0, 1/4, 1/2, 3/4 -> envelope 3/4 -> 56.25
    assert evaluate(gt, pred)["ap"]["left_wrist"] == pytest.approx(56.25)


def test_unmatched_prediction_counts_as_false_positive(make_gt, pose):
    gt = make_gt({0: {0: pose(100, 50)}}, frames=1)
    pred = make_gt({0: {0: pose(100, 50)}, 1: {0: pose(500, 50)}}, frames=1,
                   score={(0, 0): np.full(17, 0.9), (1, 0): np.full(17, 0.95)})
    r = evaluate(gt, pred)
    # every joint: FP (0.95) then TP (0.9) of 1 GT -> AP 50
    assert r["map"] == pytest.approx(50.0)
    assert r["pckh05"] == 100.0  # PCK looks at the paired person only


def test_people_paired_by_pose_not_by_track_id(two_by_two, make_gt):
    people, gt = two_by_two
    swapped = make_gt({7: people[1], 3: people[0]})
    assert evaluate(gt, swapped)["map"] == 100.0


def test_missing_person_lowers_recall(two_by_two, make_gt):
    people, gt = two_by_two
    pred = make_gt({0: people[0]})
    r = evaluate(gt, pred)
    assert r["map"] == pytest.approx(50.0)  # precision 1 up to recall 1/2
    assert r["pckh05"] == pytest.approx(50.0)


def test_frames_without_gt_people_are_not_scored(two_by_two, make_gt, pose):
    people, gt = two_by_two
    more = {t: dict(p) for t, p in people.items()}
    gt3 = make_gt(more, frames=3)
    gt3.labeled[2] = True  # labelled but empty: still not a 'frame with GT people'
    pred = make_gt({**more, 5: {2: pose(10, 10)}}, frames=3)
    r = evaluate(gt3, pred)
    assert r["map"] == 100.0 and r["frames"] == 2


def test_ignore_regions_drop_points_on_both_sides(two_by_two, make_gt):
    people, gt = two_by_two
    pred = make_gt(moved(people, 0, 0, LW, 20.0))
    x, y = people[0][0][LW]
    gt.ignore_regions[0] = [np.array([[x - 5, y - 5], [x + 30, y - 5], [x + 30, y + 5], [x - 5, y + 5]], np.float32)]
    r = evaluate(gt, pred)
    assert r["map"] == 100.0 and r["ap"]["left_wrist"] == 100.0
    je = joint_errors(gt, pred)
    assert je.valid.sum() == 59


def test_box_normalisation_without_head_boxes(make_gt, pose):
    gt = make_gt({0: {0: pose(100, 50)}}, frames=1, head=None)
    t = gt.tracks[0]
    t.bbox[0] = [100, 50, 180, 110]  # 80 x 60 box: diagonal 100 -> normaliser 12.5 px
    for dx, pck05, pck02 in ((6.0, 100.0, 100 * 14 / 15), (7.0, 100 * 14 / 15, 100 * 14 / 15), (2.0, 100.0, 100.0)):
        pred = make_gt({0: {0: pose(100, 50)}}, frames=1)
        pred.tracks[0].xy[0, LW, 0] += dx
        r = evaluate(gt, pred, "pck")
        assert r["norm"] == "box"
        assert r["pckh05"] == pytest.approx(pck05) and r["pckh02"] == pytest.approx(pck02)
        assert r["table"]["Wrist"] == pytest.approx(100.0 if dx <= 6.25 else 50.0)  # 'pck' table: PCK@0.5


def test_frames_aligned_by_file_name(make_gt, pose):
    gt = make_gt({0: {0: pose(10, 10), 1: pose(50, 10)}}, names=["a/000010.jpg", "a/000011.jpg"])
    pred = make_gt({0: {1: pose(10, 10), 2: pose(50, 10)}}, frames=3, names=["x/000009.jpg", "x/000010.jpg", "x/000011.jpg"])
    assert evaluate(gt, pred)["map"] == 100.0
    unnamed = make_gt({0: {1: pose(10, 10), 2: pose(50, 10)}}, frames=3)
    assert evaluate(gt, unnamed)["map"] == 0.0  # by index the poses land on the wrong frames


def test_joint_errors_shapes(two_by_two, make_gt):
    people, gt = two_by_two
    pred = make_gt(moved(people, 1, 1, LW, 3.0))
    err, norm, valid = joint_errors(gt, pred)
    assert err.shape == (2, 2, 15) and norm.shape == (2, 2) and valid.shape == (2, 2, 15)
    assert valid.all()
    np.testing.assert_allclose(norm, 0.6 * np.hypot(10, 10))
    je = joint_errors(gt, pred)
    k = list(je.joints).index(LW)
    assert je.err_px[1, 1, k] == pytest.approx(3.0) and je.err_px.sum() == pytest.approx(3.0)
    assert je.gt_track.tolist() == [[0, 1], [0, 1]]


def test_nothing_to_score_gives_nan_not_an_error(make_gt):
    empty = make_gt({}, frames=3)
    r = evaluate(empty, empty, "oks")
    assert r["frames"] == 0 and np.isnan(r["map"]) and np.isnan(r["pckh05"]) and np.isnan(r["oks_ap"])


def test_coco_prediction_scored_against_posetrack_ground_truth(two_by_two):
    from stdpose_core.data import Project, Track
    from stdpose_core.skeleton import COCO17, convert_keypoints

    people, gt = two_by_two
    pred = Project(COCO17, gt.video)
    for tid, t in gt.tracks.items():
        c = Track.empty(tid, gt.num_frames, 17)
        c.xy[:], c.vis[:], c.score[:], _ = convert_keypoints(t.xy, t.vis, t.score, POSETRACK18, COCO17)
        pred.tracks[tid] = c
    r = evaluate(gt, pred)
    # limbs and nose survive the conversion; head_bottom/head_top are approximated from shoulders/eyes
    assert r["ap"]["left_knee"] == 100.0 and r["ap"]["nose"] == 100.0
    assert r["table"]["Ankle"] == 100.0 and r["table"]["Head"] < 100.0
