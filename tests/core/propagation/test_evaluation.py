"""eval-propagation on generated clips: perfect at the smallest interval, clear errors on bad input."""

import json

import numpy as np
import pytest
from prop_clips import project_from_joints, rigid_clip

from stdpose_core.errors import StdposeError
from stdpose_core.progress import run_to_completion
from stdpose_core.propagation import ListSource
from stdpose_core.propagation.evaluation import eval_propagation, format_table, keep_frames
from stdpose_core.propagation.scoring import calibration_auroc, score_frames


@pytest.fixture(scope="module")
def clip():
    frames, J = rigid_clip(22, motion=(1.5, 0.5), people=2, wobble=5.0)
    return frames, J, project_from_joints(J, (160, 120), range(22))


def test_keep_frames_are_every_t_and_the_last():
    assert list(np.flatnonzero(keep_frames(10, 4))) == [0, 4, 8, 9]
    with pytest.raises(StdposeError, match="at least 2"):
        keep_frames(10, 1)


def test_eval_propagation_is_perfect_at_the_smallest_interval(clip):
    frames, J, gt = clip
    res = run_to_completion(eval_propagation(gt, ListSource(frames), every=2, methods=["flow", "interp"]))
    assert res["every"] == 2 and res["frames_scored"] == 10
    flow = res["methods"]["flow"]
    assert flow["map"] == pytest.approx(100.0) and flow["pckh05"] == pytest.approx(100.0)
    assert flow["table"]["Wrist"] == pytest.approx(100.0)
    assert flow["mean_px"] < 0.5 and flow["seconds"] > 0 and flow["person_frames_per_s"] > 0
    json.dumps(res, allow_nan=False)  # valid JSON for --json
    assert "flow" in format_table(res)


def test_eval_propagation_tells_methods_apart(clip):
    frames, J, gt = clip
    res = run_to_completion(eval_propagation(gt, ListSource(frames), every=8, methods=["interp", "auto"]))
    assert res["methods"]["auto"]["method"] == "flow"
    assert res["methods"]["auto"]["mean_px"] < res["methods"]["interp"]["mean_px"] - 1.0
    assert res["methods"]["auto"]["pckh02"] > res["methods"]["interp"]["pckh02"]


def test_sparse_ground_truth_is_refused(clip):
    frames, J, _ = clip
    gt = project_from_joints(J, (160, 120), range(0, 22, 2))
    with pytest.raises(StdposeError, match="not labelled"):
        run_to_completion(eval_propagation(gt, ListSource(frames), every=3))


def test_too_few_frames_in_the_source_is_refused(clip):
    frames, J, gt = clip
    with pytest.raises(StdposeError, match="frames"):
        run_to_completion(eval_propagation(gt, ListSource(frames[:10]), every=3))


def test_scoring_counts_only_the_given_frames(clip):
    _, J, gt = clip
    pred = project_from_joints(J, (160, 120), range(22))
    pred.tracks[0].xy[5, 9] += np.array([40.0, 0.0])  # one far-off wrist, on frame 5
    pred.tracks[0].score[5, 9] = 0.1  # ... that the method flagged
    res = score_frames(gt, pred, np.array([4, 5, 6]))
    n = 2 * 3 * 15
    assert res["pckh05"] == pytest.approx(100 * (n - 1) / n)
    assert res["mean_px"] == pytest.approx(40.0 / n, rel=1e-4)
    assert score_frames(gt, pred, np.array([4, 6]))["pckh05"] == pytest.approx(100.0)
    assert res["auroc"] == pytest.approx(1.0)
    pred.tracks[0].score[5, 9] = 1.0
    pred.tracks[0].score[4, :] = 0.5  # now good joints look worse than the bad one
    assert calibration_auroc(gt, pred) < 0.5
