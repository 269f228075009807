"""The simulated annotator (stdpose_core.ops.simulate) and the interval probe (stdpose_core.ops.suggest_interval)."""

from __future__ import annotations

import numpy as np
import pytest
from prop_clips import project_from_joints, rigid_clip

from stdpose_core.data import Source
from stdpose_core.errors import StdposeError
from stdpose_core.ops.simulate import joint_norms, simulate_job, wrong_joints
from stdpose_core.ops.suggest_interval import probe_windows, suggest_interval_job
from stdpose_core.progress import run_to_completion
from stdpose_core.propagation import ListSource, get_propagator

USED = [k for k in range(17) if k not in (3, 4)]


def dense(J, size=(160, 120)):
    return project_from_joints(J, size, range(J.shape[0]))


def test_linear_motion_needs_no_fix_with_interpolation():
    frames, J = rigid_clip(22, motion=(2.0, 1.0), people=2)
    gt = dense(J)
    r = run_to_completion(simulate_job(gt, None, 7, "interp", "naive"))
    assert r.fixed_joints == 0
    kept = 5  # frames 0, 7, 14, 21 ... and the last (21): 4 frames
    assert r.keyframe_joints == 2 * len(USED) * 4 and r.all_joints == 2 * len(USED) * 22
    assert r.effort == pytest.approx(4 / 22)
    assert kept  # (the last frame counts once)


def test_fixes_are_counted_and_re_propagation_saves_work():
    from stdpose_core.synth import generate_clip

    clip = generate_clip(persons=2, frames=31, size=(320, 180), seed=3)  # articulated: flow misses joints
    gt, src = clip.gt, ListSource(clip.frames)
    flow = get_propagator("flow")
    naive, smart, app = (run_to_completion(simulate_job(gt, src, 15, flow, s)) for s in ("naive", "smart", "app"))
    assert naive.fixed_joints > 0
    assert smart.fixed_joints < naive.fixed_joints and app.fixed_joints < naive.fixed_joints
    assert abs(app.effort - smart.effort) <= 0.01, "the editor's policy is as good as the ideal one"
    assert app.refixed_joints == 0, "re-propagation never breaks frames already checked"
    assert naive.effort == pytest.approx((naive.keyframe_joints + naive.fixed_joints) / naive.all_joints)


def test_wrong_joints_are_missing_far_or_not_in_the_ground_truth():
    frames, J = rigid_clip(5, people=1)
    gt = dense(J)
    pred = dense(J)
    t = pred.tracks[0]
    norm = joint_norms(gt)[0, 2]
    t.xy[2, 5] += [0.25 * norm, 0]  # 0.25 head: wrong
    t.xy[2, 6] += [0.15 * norm, 0]  # 0.15 head: fine
    t.vis[2, 7] = 0  # missing
    gt.tracks[0].vis[2, 8] = 0  # not in the ground truth
    assert sorted(wrong_joints(pred, gt, 2, joint_norms(gt))) == [(0, 5, False), (0, 7, False), (0, 8, True)]


def test_unknown_strategy_and_sparse_ground_truth_are_refused():
    frames, J = rigid_clip(10, people=1)
    with pytest.raises(StdposeError, match="unknown strategy"):
        run_to_completion(simulate_job(dense(J), None, 3, "interp", "lazy"))
    with pytest.raises(StdposeError, match="not labelled"):
        run_to_completion(simulate_job(project_from_joints(J, (160, 120), [0, 9]), None, 3, "interp", "naive"))


def test_probe_suggests_the_cheapest_interval_from_detected_poses():
    frames, J = rigid_clip(40, motion=(2.0, 1.0), people=1)
    project = dense(J)
    for t in project.tracks.values():  # detector pre-labels, not human labels
        t.source[t.vis > 0] = Source.DETECTED
    assert probe_windows(project, 30, 2) == [(5, 35)]
    result = run_to_completion(suggest_interval_job(project, None, "interp", (5, 10, 20), window=30))
    # Linear motion: interpolation is exact, so the largest interval costs least.
    assert result["suggested"] == 20 and result["windows"] == [[5, 35]]
    assert result["candidates"][5]["effort"] > result["candidates"][20]["effort"]
    assert np.isclose(result["candidates"][20]["fixed_joints"], 0)


def test_probe_without_people_says_to_detect_first():
    frames, J = rigid_clip(20, people=1)
    empty = project_from_joints(J, (160, 120), [])
    with pytest.raises(StdposeError, match="detect people first"):
        run_to_completion(suggest_interval_job(empty, ListSource(frames), "flow"))
