"""A big person is tracked from a coarser pyramid level; a JHMDB-sized one from the full frame."""

import numpy as np
from test_tracking_regions import shifted_pair

from stdpose_core.propagation import ListSource
from stdpose_core.propagation.gray_frames import GrayFrames
from stdpose_core.propagation.tracking import MIN_TRACK_SIZE, LKTracker, base_levels


def person(span: float, x0: float = 300.0, y0: float = 100.0, joints: int = 9) -> np.ndarray:
    """``[K,2]`` joints on a diagonal line whose box is ``span`` px tall and ``span / 3`` wide."""
    t = np.linspace(0.0, 1.0, joints, dtype=np.float32)[:, None]
    return np.concatenate([x0 + t * span / 3, y0 + t * span], axis=1).astype(np.float32)


def test_base_level_is_the_coarsest_level_where_a_person_still_spans_the_minimum():
    spans = [60, 199, 200, 399, 400, 800, 3000]
    pts = np.stack([person(s) for s in spans])
    alive = np.ones(pts.shape[:2], bool)
    assert base_levels(pts, alive, levels=3, min_size=100).tolist() == [0, 0, 1, 1, 2, 2, 2]  # at most levels - 1
    assert base_levels(pts, alive, levels=1, min_size=100).tolist() == [0] * len(spans)
    assert base_levels(pts, alive, levels=3, min_size=0).tolist() == [0] * len(spans)
    lone = alive.copy()
    lone[-1, 1:] = False  # a single live joint has no size
    assert base_levels(pts, lone, levels=3, min_size=100)[-1] == 0
    wide = np.stack([person(250)[:, ::-1]])  # lying down, 250 px wide and 83 tall: the width counts
    assert base_levels(wide, np.ones((1, 9), bool), levels=3, min_size=100).tolist() == [1]


def big_and_small(a, b):
    big = person(460, x0=250, y0=120)  # spans 460 px: tracked from level 2
    small = person(150, x0=1000, y0=300)  # JHMDB-sized: from level 0
    return np.stack([big, small])


def test_a_big_person_tracked_from_a_coarser_level_follows_the_true_motion():
    a, b = shifted_pair(shift=(3.4, -2.2))
    pts = big_and_small(a, b)
    live = np.ones(pts.shape[:2], bool)
    tracker = LKTracker()
    assert base_levels(pts, live, tracker.levels).tolist() == [2, 0]
    new, ok, _ = tracker.step(GrayFrames(ListSource([a, b])), 0, 1, pts, live,
                              base=base_levels(pts, live, tracker.levels))
    assert ok.all()
    assert np.abs(new - pts - np.float32([-3.4, 2.2])).max() < 0.5
    full, ok_full, _ = LKTracker(min_size=0).step(GrayFrames(ListSource([a, b])), 0, 1, pts, live)
    assert np.array_equal(new[1], full[1])  # the small person is tracked exactly as before
    assert not np.array_equal(new[0], full[0])  # the big one is not read from the full frame


def test_a_chain_keeps_each_persons_base_level_from_its_anchor():
    a, b = shifted_pair(shift=(2.0, 1.0))
    pts = big_and_small(a, b)
    alive = np.ones(pts.shape[:2], bool)
    frames = ListSource([a, b, a])

    def run(tracker):
        gen = tracker.chain(GrayFrames(frames), [0, 1, 2], pts, alive)
        try:
            while True:
                next(gen)
        except StopIteration as stop:
            return stop.value

    ours, full = run(LKTracker()), run(LKTracker(min_size=0))
    assert MIN_TRACK_SIZE == 100.0
    assert np.array_equal(ours.xy[:, 1], full.xy[:, 1])
    assert np.abs(ours.xy[2] - pts).max() < 0.5  # there and back again
    assert np.abs(ours.xy[1, 0] - pts[0] - np.float32([-2.0, -1.0])).max() < 0.5
