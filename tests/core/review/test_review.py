"""Review risk scoring and keyframe suggestions (pure numpy), on hand-made tracks and a generated clip."""

from __future__ import annotations

import numpy as np
import pytest

from stdpose_core.data import Project, Source, VideoInfo
from stdpose_core.review import BONE_JUMP, FLIP, LOW_CONFIDENCE, PRELABEL, frame_confidence, reason_text, review_queue
from stdpose_core.skeleton import POSETRACK18
from stdpose_core.suggest import suggest_keyframes

F = 30
REL = np.array([[0, -50], [0, -40], [0, -62], [-5, -52], [5, -52], [-12, -32], [12, -32], [-18, -14], [18, -14],
                [-20, 2], [20, 2], [-8, 4], [8, 4], [-9, 26], [9, 26], [-10, 48], [10, 48]], np.float32)


def make_project(keys=(0, 7, 14, 21, 28), score=0.9, dx=2.0) -> Project:
    """One person walking right; human joints on ``keys``, PROPAGATED with ``score`` elsewhere."""
    video = VideoInfo("clip", F, 320, 240, 25.0)
    p = Project(POSETRACK18, video)
    t = p.new_track(0)
    for f in range(F):
        t.xy[f] = REL + (60 + dx * f, 120)
        t.vis[f] = 2
        t.vis[f, list(POSETRACK18.unused)] = 0
        human = f in keys
        t.source[f] = np.where(t.vis[f] > 0, Source.MANUAL if human else Source.PROPAGATED, Source.NONE)
        t.score[f] = np.where(t.vis[f] > 0, 1.0 if human else score, 0)
        t.bbox[f] = np.r_[t.xy[f].min(0) - 5, t.xy[f].max(0) + 5]
    p.tracks[0] = t
    return p


def items(q):
    return set(zip(q.frame.tolist(), q.track.tolist(), q.joint.tolist()))


def test_low_confidence_items_only_on_machine_unreviewed_joints():
    p = make_project()
    t = p.tracks[0]
    t.score[3, 5], t.score[4, 6], t.score[5, 7] = 0.2, 0.45, 0.55
    t.score[0, 9] = 0.1  # a human joint: never an item
    q = review_queue(p, threshold=0.5)
    assert items(q) == {(3, 0, 5), (4, 0, 6)}
    assert q.frame[0] == 3 and q.risk[0] > q.risk[1]  # riskier (lower score) first
    assert all(r == LOW_CONFIDENCE for r in q.reasons)
    assert reason_text(int(q.reasons[0])) == "low confidence"
    t.reviewed[3] = True
    assert items(review_queue(p, 0.5)) == {(4, 0, 6)}
    assert len(review_queue(p, 0.1)) == 0


def test_left_right_flip_is_flagged_at_the_flip():
    p = make_project()
    t = p.tracks[0]
    t.xy[10, [5, 6]] = t.xy[10, [6, 5]]  # shoulders swapped on frame 10 only
    q = review_queue(p, threshold=0.5)
    flagged = {(f, k) for f, _, k, r in zip(q.frame, q.track, q.joint, q.reasons) if r & FLIP}
    assert {(10, 5), (10, 6)} <= flagged
    assert {f for f, _ in flagged} <= {10, 11}  # the swap and the swap back
    assert (q.risk[:2] > 0.5).all()


def test_bone_jump_and_prelabel_disagreement():
    p = make_project()
    t = p.tracks[0]
    t.xy[9, 9] += (0, 40)  # left wrist jumps down on frame 9 (machine frame)
    q = review_queue(p, threshold=0.5)
    jumps = {(int(f), int(k)) for f, k, r in zip(q.frame, q.joint, q.reasons) if r & BONE_JUMP}
    assert (9, 9) in jumps and (9, 7) in jumps and {f for f, _ in jumps} <= {9, 10}
    pre_xy, pre_vis = t.xy.copy(), t.vis.copy()
    pre_xy[17, 13] += (30, 0)  # the detector saw the left knee elsewhere on frame 17
    q = review_queue(p, 0.5, prelabels={0: (pre_xy, pre_vis)})
    pre = {(int(f), int(k)) for f, k, r in zip(q.frame, q.joint, q.reasons) if r & PRELABEL}
    assert pre == {(17, 13)}


def test_frame_confidence_mean_and_lowest():
    p = make_project(score=0.8)
    p.tracks[0].score[2, 5] = 0.2
    mean, low = frame_confidence(p)
    assert np.isnan(mean[0]) and np.isnan(low[7])  # keyframes: no machine joints
    assert low[2] == pytest.approx(0.2) and mean[2] == pytest.approx((0.8 * 14 + 0.2) / 15)
    assert mean[3] == pytest.approx(0.8) and low[3] == pytest.approx(0.8)


def test_suggestions_pick_weak_gaps_and_an_inner_frame():
    p = make_project(score=0.9)
    t = p.tracks[0]
    t.score[16:21][t.vis[16:21] > 0] = 0.3  # gap 15..20 is unsure, lowest at 18
    t.score[18][t.vis[18] > 0] = 0.1
    sug = suggest_keyframes(p, min_weakness=0.5)
    assert [(s.start, s.stop, s.frame, s.reason) for s in sug] == [(15, 21, 18, "low confidence")]
    # Fast motion: the person jumps 40 px per frame inside gap 1..6.
    p = make_project(score=0.95)
    t = p.tracks[0]
    for f in range(1, 7):
        t.xy[f] += (40 * min(f, 7 - f), 0)
    sug = suggest_keyframes(p, min_weakness=0.5)
    assert sug and sug[0].start == 1 and sug[0].reason == "fast motion" and 2 <= sug[0].frame <= 5
    # Occlusion onset: most joints turn occluded in gap 22..27.
    p = make_project(score=0.95)
    p.tracks[0].vis[24:28, 5:] = 1
    sug = suggest_keyframes(p, min_weakness=0.5)
    assert [(s.start, s.reason) for s in sug] == [(22, "occlusion onset")]
    assert suggest_keyframes(make_project(score=0.95), min_weakness=0.5) == []


def test_risk_ranks_real_propagation_errors_on_a_generated_clip():
    """Flow on a generated clip: the riskiest fifth of the joints is wrong more often than the rest."""
    from stdpose_core.data.edits import set_reviewed
    from stdpose_core.progress import run_to_completion
    from stdpose_core.project_ops import keep_keyframes_every
    from stdpose_core.propagation import ListSource, get_propagator
    from stdpose_core.synth import generate_clip

    clip = generate_clip(3, 50, (320, 240), seed=5)
    gt = clip.gt
    p = Project(gt.skeleton, gt.video, {tid: t.copy() for tid, t in gt.tracks.items()})
    set_reviewed(p, 0, p.num_frames, False).apply(p)
    keep_keyframes_every(p, 7).apply(p)
    run_to_completion(get_propagator("flow").run(p, ListSource(clip.frames))).apply(p)
    q = review_queue(p, threshold=1.01)  # every machine joint, ranked
    err = np.array([np.hypot(*(p.tracks[t].xy[f, k] - gt.tracks[t].xy[f, k])) for f, t, k in zip(q.frame, q.track, q.joint)])
    head = [np.hypot(*(gt.tracks[t].head_bbox[f, 2:] - gt.tracks[t].head_bbox[f, :2])) for f, t in zip(q.frame, q.track)]
    wrong = err > 0.5 * 0.6 * np.array(head)  # outside PCKh@0.5
    top = len(q) // 5
    assert len(q) > 100 and wrong.any()
    assert wrong[:top].mean() > wrong[top:].mean()


def test_approximated_joints_are_not_queued_for_their_known_low_score():
    """head_bottom derived from the shoulders scores what such a derivation is worth on every frame: it
    is marked approximated in the editor instead of flooding the queue, unless it looks wrong."""
    p = make_project(keys=(0,))
    t = p.tracks[0]
    t.source[1:, 1] = Source.APPROXIMATED
    t.score[1:, 1] = 0.46
    t.score[5, 9] = 0.3  # an ordinary detected joint with a low score still is an item
    q = review_queue(p, 0.5)
    assert items(q) == {(5, 0, 9)}
    t.xy[12, 1] += (0, 40)  # the approximated neck jumps away from the shoulders: a bone jump
    q2 = review_queue(p, 0.5)
    assert (12, 0, 1) in items(q2)
    assert not (q2.reasons[q2.joint == 1] & LOW_CONFIDENCE).any() and (q2.reasons[q2.joint == 1] & BONE_JUMP).any()
