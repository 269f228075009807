"""Flow fills batches of gap groups: their chains run in lockstep over frames read once, in order, and
the joints are exactly those of filling one group at a time."""

import numpy as np
import pytest
from prop_clips import project_from_joints, rigid_clip

from stdpose_core.progress import run_to_completion
from stdpose_core.propagation import ListSource, find_gaps, get_propagator
from stdpose_core.propagation import flow as flow_module
from stdpose_core.propagation.base import group_gaps
from stdpose_core.propagation.gray_frames import GrayFrames
from stdpose_core.propagation.interp import interpolate_gap, interpolate_gaps
from stdpose_core.propagation.tracking import LKTracker


class RecordingSource(ListSource):
    """A ListSource that remembers the order frames were asked for."""

    def __init__(self, frames):
        super().__init__(frames)
        self.order: list[int] = []

    def frame(self, i):
        self.order.append(i)
        return super().frame(i)


@pytest.fixture(scope="module")
def clip():
    return rigid_clip(50, size=(200, 150), motion=(1.2, 0.4), people=2, wobble=3.0)


def project(clip, keys=(0, 7, 14, 21, 28, 35, 42, 49)):
    frames, J = clip
    return project_from_joints(J, (200, 150), list(keys))


def test_chains_in_lockstep_are_the_chains_run_one_by_one(clip):
    frames, J = clip
    src = ListSource(frames)
    runs = [(list(range(0, 8)), J[0], np.ones(J.shape[1:3], bool)),
            (list(range(7, -1, -1)), J[7], np.ones(J.shape[1:3], bool)),
            (list(range(7, 19)), J[7, :1], np.ones((1, J.shape[2]), bool))]  # a longer run, one person
    runs[1][2][0, 5:9] = False  # some joints unseen at that anchor
    tracker = LKTracker()
    reader = GrayFrames(src)
    reader.hold(range(0, 19))
    steps, together = drive(tracker.chains(reader, runs))
    assert steps == list(range(3, 22, 3)) + [22, 23, 24, 25]  # step t of all three runs, then the long run alone
    for run, chain in zip(runs, together):
        alone = run_to_completion(LKTracker().chain(GrayFrames(src), *run))
        assert chain.xy.shape == alone.xy.shape == (len(run[0]),) + run[1].shape
        assert np.array_equal(chain.xy, alone.xy)
        assert np.array_equal(chain.alive, alone.alive)
        assert np.array_equal(chain.residual, alone.residual)


def drive(job):
    """Run ``job`` to its end: ``(what it yielded, what it returned)``."""
    seen = []
    try:
        while True:
            seen.append(next(job))
    except StopIteration as stop:
        return seen, stop.value


def test_a_batch_fills_exactly_what_one_group_at_a_time_fills(clip):
    frames, _ = clip
    proj = project(clip)
    batched = get_propagator("flow")
    groups = group_gaps(find_gaps(proj))
    assert len(batched.batches(groups, ListSource(frames))) == 1  # 50 frames: one batch
    seen, edit = drive(batched.run(proj, ListSource(frames)))
    one_by_one = run_to_completion(get_propagator("flow", chunk=2).run(proj, ListSource(frames)))  # batches of one group, streamed
    assert len(edit.edits) == len(one_by_one.edits) > 0
    for a, b in zip(edit.edits, one_by_one.edits):
        assert a.track_id == b.track_id and a.start == b.start
        for name in a.values:
            assert np.array_equal(a.values[name], b.values[name], equal_nan=True), name
    done = [p.done for p in seen]
    assert done == sorted(done) and done[-1] == seen[-1].total == sum(g[0].length for g in groups)


def test_batches_are_consecutive_groups_within_the_frames_a_batch_may_hold(clip, monkeypatch):
    frames, _ = clip
    proj = project(clip, keys=(0, 3, 7, 14, 40, 49))  # gaps of 2, 3, 6, 25 and 8 frames
    groups = group_gaps(find_gaps(proj))
    prop = get_propagator("flow", chunk=12)
    batches = prop.batches(groups, ListSource(frames))
    assert [g for batch in batches for g in batch] == groups  # every group once, in order
    spans = [(min(flow_module.tracked_frames(g[0])[0] for g in b), max(flow_module.tracked_frames(g[0])[1] for g in b))
             for b in batches]
    assert [len(b) for b in batches] == [2, 1, 1, 1]  # frames 0-7; 7-14 (0-14 would be 15 frames); 14-40; 40-49
    for (lo, hi), batch in zip(spans, batches):
        assert hi - lo < 12 or len(batch) == 1  # only a group longer than the limit is alone over it
    monkeypatch.setattr(flow_module, "BATCH_BYTES", 3 * frames[0].nbytes)  # memory allows 3 frames at a time
    prop = get_propagator("flow")
    assert all(len(b) == 1 for b in prop.batches(groups, ListSource(frames)))


def test_a_batch_reads_its_frames_once_in_increasing_order(clip):
    frames, _ = clip
    proj = project(clip, keys=(0, 7, 14, 21))
    src = RecordingSource(frames)
    run_to_completion(get_propagator("flow").run(proj, src))
    sizing, reads = src.order[0], src.order[1:]
    assert sizing == 0
    assert reads == list(range(0, 25))  # 0-21 for the two-sided gaps, 22-24 extrapolated after the last keyframe


def test_interpolating_gaps_together_equals_one_at_a_time(clip):
    proj = project(clip)
    t0, t1 = proj.tracks[0], proj.tracks[1]
    t1.head_bbox[14] = np.nan  # one person's size from its joints instead of a head box
    t1.vis[14, 2] = 0  # a joint seen at one keyframe only
    t1.vis[7, 6] = 0
    gaps = [g for g in find_gaps(proj) if g.left == 7 and g.right == 14]
    together = interpolate_gaps([t0, t1], gaps, proj.skeleton)
    for (res, side), track, gap in zip(together, [t0, t1], gaps):
        alone, side_alone = interpolate_gap(track, gap, proj.skeleton)
        assert np.array_equal(side, side_alone)
        for name in ("xy", "vis", "score", "filled", "bbox", "head_bbox"):
            assert np.array_equal(getattr(res, name), getattr(alone, name), equal_nan=True), name
    assert (together[1][1][:, 2] == 0).any() and (together[1][1][:, 6] == 1).any()  # held from one side
