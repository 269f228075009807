"""Edits: each does what it says, and any sequence applied then reverted restores the arrays exactly."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from stdpose_core.data import Project, Source, Track, VideoInfo
from stdpose_core.data.edits import (
    AddTrack,
    Compound,
    DeleteTrack,
    MergeTracks,
    MoveKeypoint,
    SetFrameInfo,
    SetPoseRange,
    SetVisibility,
    SwapTracksFrom,
    clear_frames,
    set_reviewed,
)
from stdpose_core.data.track import FRAME_FIELDS
from stdpose_core.skeleton import POSETRACK18

F = 12
K = POSETRACK18.num_joints


def make_project(seed: int = 0, n_tracks: int = 3) -> Project:
    rng = np.random.default_rng(seed)
    p = Project(POSETRACK18, VideoInfo("clip.mp4", F, 320, 240))
    for tid in range(n_tracks):
        t = Track.empty(tid, F, K)
        present = rng.random(F) < 0.7
        t.xy[present] = rng.uniform(0, 300, (present.sum(), K, 2)).astype(np.float32)
        t.vis[present] = rng.integers(0, 3, (present.sum(), K), dtype=np.int8)
        t.score[present] = rng.random((present.sum(), K), dtype=np.float32)
        t.source[present] = rng.integers(0, 6, (present.sum(), K), dtype=np.uint8)
        t.bbox[present] = [10, 10, 100, 200]
        p.tracks[tid] = t
    return p


def snapshot(p: Project) -> dict:
    return {
        "tracks": {tid: t.copy() for tid, t in p.tracks.items()},
        "labeled": p.labeled.copy(),
        "regions": {f: [r.copy() for r in rs] for f, rs in p.ignore_regions.items()},
    }


def same(p: Project, snap: dict) -> bool:
    if list(p.tracks) != list(snap["tracks"]) and sorted(p.tracks) != sorted(snap["tracks"]):
        return False
    if not all(p.tracks[tid].equals(t) for tid, t in snap["tracks"].items()):
        return False
    if not np.array_equal(p.labeled, snap["labeled"]):
        return False
    return set(p.ignore_regions) == set(snap["regions"]) and all(
        all(np.array_equal(a, b) for a, b in zip(p.ignore_regions[f], snap["regions"][f])) for f in snap["regions"]
    )


def test_move_keypoint_places_joint_and_marks_source():
    p = make_project()
    t = p.tracks[0]
    t.source[3, 7] = Source.PROPAGATED
    t.vis[3, 7] = 0
    MoveKeypoint(p, 0, 3, 7, (12.5, 40.0)).apply(p)
    assert t.xy[3, 7].tolist() == [12.5, 40.0]
    assert t.vis[3, 7] == 2  # placing an unlabelled joint makes it visible
    assert t.source[3, 7] == Source.CORRECTED  # a person fixed a machine value
    assert t.score[3, 7] == 1.0
    t.source[4, 7] = Source.NONE
    MoveKeypoint(p, 0, 4, 7, (1, 2)).apply(p)
    assert t.source[4, 7] == Source.MANUAL


def test_move_keypoint_leaves_other_joints_alone():
    p = make_project()
    before = p.tracks[0].copy()
    MoveKeypoint(p, 0, 5, 2, (1, 1)).apply(p)
    changed = np.argwhere(np.any(p.tracks[0].xy != before.xy, axis=-1))
    assert changed.tolist() == [[5, 2]]


def test_set_visibility_rejects_bad_value():
    p = make_project()
    with pytest.raises(ValueError):
        SetVisibility(p, 0, 0, 0, 3)


def test_swap_tracks_from_frame_swaps_only_the_tail():
    p = make_project()
    a0, b0 = p.tracks[0].copy(), p.tracks[1].copy()
    SwapTracksFrom(0, 1, 5).apply(p)
    assert np.array_equal(p.tracks[0].xy[:5], a0.xy[:5])
    assert np.array_equal(p.tracks[0].xy[5:], b0.xy[5:])
    assert np.array_equal(p.tracks[1].vis[5:], a0.vis[5:])


def test_merge_fills_absent_frames_and_removes_source_track():
    p = make_project()
    dst, src = p.tracks[0], p.tracks[1]
    dst_present, src_present = dst.present().copy(), src.present().copy()
    src_copy = src.copy()
    MergeTracks(src=1, dst=0).apply(p)
    assert 1 not in p.tracks
    take = src_present & ~dst_present
    assert np.array_equal(p.tracks[0].xy[take], src_copy.xy[take])
    assert p.tracks[0].present().sum() == (dst_present | src_present).sum()


def test_set_pose_range_respects_joint_mask():
    p = make_project()
    t = p.tracks[2]
    before = t.xy.copy()
    mask = np.zeros((3, K), bool)
    mask[:, 0] = True
    SetPoseRange(2, 4, {"xy": np.full((3, K, 2), 7, np.float32)}, joint_mask=mask).apply(p)
    assert (t.xy[4:7, 0] == 7).all()
    assert np.array_equal(t.xy[4:7, 1:], before[4:7, 1:])


def test_add_track_with_existing_id_fails():
    p = make_project()
    with pytest.raises(ValueError):
        AddTrack(Track.empty(0, F, K)).apply(p)


# --- property test: random edit sequences are exactly invertible --------------------------------

def _edit_strategy():
    tid = st.integers(0, 2)
    frame = st.integers(0, F - 1)
    joint = st.integers(0, K - 1)
    coord = st.floats(-50, 400, allow_nan=False, width=32)
    return st.one_of(
        st.tuples(st.just("move"), tid, frame, joint, coord, coord),
        st.tuples(st.just("vis"), tid, frame, joint, st.integers(0, 2)),
        st.tuples(st.just("swap"), tid, tid, frame),
        st.tuples(st.just("clear"), tid, frame, st.integers(1, 4)),
        st.tuples(st.just("delete"), tid),
        st.tuples(st.just("add")),
        st.tuples(st.just("merge"), tid, tid),
        st.tuples(st.just("review"), frame, st.integers(1, 3)),
        st.tuples(st.just("frameinfo"), frame),
        st.tuples(st.just("range"), tid, frame, st.integers(1, 5), st.integers(0, 2**31 - 1)),
    )


def _build(p: Project, spec):
    kind = spec[0]
    ids = sorted(p.tracks)
    pick = lambda i: ids[i % len(ids)] if ids else None  # noqa: E731
    if kind == "add":
        return AddTrack(p.new_track())
    if kind == "review":
        _, f, n = spec
        return set_reviewed(p, f, min(F, f + n))
    if kind == "frameinfo":
        return SetFrameInfo(spec[1], labeled=np.array([True]), ignore_regions={spec[1]: [np.array([[0, 0], [5, 0], [5, 5]], np.float32)]})
    if not ids:
        return None
    if kind == "move":
        return MoveKeypoint(p, pick(spec[1]), spec[2], spec[3], (spec[4], spec[5]))
    if kind == "vis":
        return SetVisibility(p, pick(spec[1]), spec[2], spec[3], spec[4])
    if kind == "swap":
        a, b = pick(spec[1]), pick(spec[2])
        return SwapTracksFrom(a, b, spec[3])
    if kind == "clear":
        return clear_frames(p, pick(spec[1]), spec[2], min(F, spec[2] + spec[3]))
    if kind == "delete":
        return DeleteTrack(pick(spec[1]))
    if kind == "merge":
        a, b = pick(spec[1]), pick(spec[2])
        return None if a == b else MergeTracks(a, b)
    if kind == "range":
        _, t, f, n, seed = spec
        n = min(n, F - f)
        rng = np.random.default_rng(seed)
        values = {name: np.zeros((n,) + getattr(p.tracks[pick(t)], name).shape[1:], FRAME_FIELDS[name][0]) for name in ("xy", "vis", "score")}
        values["xy"][:] = rng.uniform(0, 100, values["xy"].shape)
        return SetPoseRange(pick(t), f, values, joint_mask=rng.random((n, K)) < 0.5)
    raise AssertionError(kind)


@settings(max_examples=150, deadline=None)
@given(st.lists(_edit_strategy(), min_size=1, max_size=12), st.integers(0, 1000))
def test_any_edit_sequence_reverts_exactly(specs, seed):
    p = make_project(seed)
    start = snapshot(p)
    applied, states = [], []
    for spec in specs:
        edit = _build(p, spec)
        if edit is None:
            continue
        states.append(snapshot(p))
        edit.apply(p)
        applied.append(edit)
    # Undo one step at a time: each revert restores exactly the state before that edit.
    for edit, state in zip(reversed(applied), reversed(states)):
        edit.revert(p)
        assert same(p, state)
    assert same(p, start)
    # Redo all and undo all again (the undo stack re-applies the same edit objects).
    for edit in applied:
        edit.apply(p)
    for edit in reversed(applied):
        edit.revert(p)
    assert same(p, start)


def test_compound_reverts_in_reverse_order():
    p = make_project()
    start = snapshot(p)
    c = Compound([MoveKeypoint(p, 0, 1, 1, (5, 5)), SwapTracksFrom(0, 1, 0)])
    c.apply(p)
    assert not same(p, start)
    c.revert(p)
    assert same(p, start)


def test_corrected_joint_stays_corrected_when_touched_again():
    p = make_project()
    t = p.tracks[0]
    t.source[2, 3] = Source.PROPAGATED
    MoveKeypoint(p, 0, 2, 3, (5, 5)).apply(p)
    assert t.source[2, 3] == Source.CORRECTED
    MoveKeypoint(p, 0, 2, 3, (6, 6)).apply(p)
    SetVisibility(p, 0, 2, 3, 1).apply(p)
    assert t.source[2, 3] == Source.CORRECTED
