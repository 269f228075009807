"""Adaptation keeps a fine-tuned model only when its lead over the base is more than chance: an exact
one-sided sign test on the held-out joints where exactly one of the two is within PCK@0.2."""

from __future__ import annotations

import numpy as np

from stdpose_core.training.adapt import KEEP_ALPHA, AdaptResult, keep_test
from stdpose_core.training.data import load_spec
from stdpose_core.training.validate import flow_predictions, score_targets, target_hits, val_targets


def test_per_joint_hits_are_the_pck_the_gate_reads(synth_clip):
    clip_dir, _ = synth_clip
    clips = load_spec(str(clip_dir / "gt.json"))
    targets = val_targets(clips, {0: set(clips[0].tracks)}, every=4, max_targets=0)
    xy, score = flow_predictions(clips, "posetrack18", targets)
    hits = target_hits(clips, "posetrack18", targets, xy)
    m = score_targets(clips, "posetrack18", targets, xy, score)
    assert 0 < hits.sum() < len(hits)  # some joints hit, some missed: the comparison below can fail
    assert abs(100.0 * hits.mean() - m["pckh02"]) < 1e-9
    # Moving one target's joints far away turns exactly its hits into misses, in the same places.
    far = xy.copy()
    far[0] += 500.0
    moved = target_hits(clips, "posetrack18", targets, far)
    assert len(moved) == len(hits) and moved.sum() < hits.sum() and not (moved & ~hits).any()


def test_keep_test_counts_discordant_joints_and_is_one_sided():
    a = np.array([1, 1, 1, 1, 1, 0, 1, 0], bool)
    b = np.array([0, 0, 0, 0, 0, 0, 1, 0], bool)
    wins, losses, p = keep_test(a, b)
    assert (wins, losses) == (5, 0) and abs(p - 1 / 32) < 1e-12 and p <= KEEP_ALPHA  # 5 of 5: kept
    # One joint's lead (the case that was kept and then hurt): far from significant.
    assert keep_test(np.array([1, 0], bool), np.array([0, 0], bool))[2] == 0.5
    # 6 wins against 1 loss: p = 8/128 > 0.05, not kept; 7 against 1: 9/256, kept.
    assert abs(keep_test(np.r_[np.ones(6, bool), False], np.r_[np.zeros(6, bool), True])[2] - 8 / 128) < 1e-12
    assert keep_test(np.r_[np.ones(7, bool), False], np.r_[np.zeros(7, bool), True])[2] <= KEEP_ALPHA
    # The base ahead: p near 1; nothing discordant: 1.
    assert keep_test(b, a)[2] > 0.9 and keep_test(a, a) == (0, 0, 1.0)


def test_a_lead_within_chance_is_said_so():
    scores = {k: {"pckh02": v} for k, v in (("base", 53.6), ("adapted", 57.1), ("flow", 50.0))}
    r = AdaptResult(False, "base.pt", 4, 2, scores, wins=1, losses=0, p_value=0.5)
    assert "within chance" in r.summary() and "1 joints" in r.summary() and r.to_dict()["p_value"] == 0.5
    r = AdaptResult(False, "base.pt", 4, 2, {**scores, "adapted": {"pckh02": 50.0}}, wins=0, losses=2, p_value=1.0)
    assert "does not beat its base" in r.summary()
