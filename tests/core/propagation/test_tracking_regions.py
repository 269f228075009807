"""LK in regions of interest gives what LK on the whole frame gives, and converts only those regions."""

import cv2
import numpy as np
from prop_clips import texture

from stdpose_core.propagation import ListSource
from stdpose_core.propagation.gray_frames import GrayFrames
from stdpose_core.propagation.tracking import LKTracker, person_regions


def shifted_pair(w=1280, h=720, shift=(3.0, -2.0)):
    big = texture(h + 40, w + 40, seed=5)
    a = big[20 : 20 + h, 20 : 20 + w].copy()
    M = np.float32([[1, 0, -shift[0]], [0, 1, -shift[1]]])
    b = cv2.warpAffine(big, M, (w + 40, h + 40), flags=cv2.INTER_CUBIC)[20 : 20 + h, 20 : 20 + w].copy()
    return a, b


def test_region_tracking_equals_whole_frame_tracking():
    a, b = shifted_pair()
    pts = np.array([[[200, 220], [210, 250], [220, 280]], [[1000, 400], [1020, 430], [990, 460]]], np.float32)
    live = np.ones(pts.shape[:2], bool)
    tracker = LKTracker()
    reader = GrayFrames(ListSource([a, b]))
    new, ok, _ = tracker.step(reader, 0, 1, pts, live)
    assert tracker.calls == 2  # two people far apart: two small regions, not the whole frame
    assert reader.converted_pixels < 0.4 * 2 * a.shape[0] * a.shape[1]
    ga, gb = (cv2.cvtColor(x, cv2.COLOR_RGB2GRAY) for x in (a, b))
    full, st, _ = cv2.calcOpticalFlowPyrLK(ga, gb, pts.reshape(-1, 1, 2), None, winSize=(tracker.win, tracker.win),
                                           maxLevel=tracker.levels, criteria=tracker.criteria)
    assert ok.all() and st.all()
    assert np.abs(new.reshape(-1, 2) - full.reshape(-1, 2)).max() < 0.05
    assert np.abs(new - pts - np.float32([-3.0, 2.0])).max() < 0.3  # and it is the true motion (content moved by -shift)


def test_person_regions_split_far_people_merge_close_ones_and_fall_back_to_the_frame():
    pts = np.array([[[100, 100], [120, 160]], [[500, 100], [520, 160]], [[110, 110], [125, 150]]], np.float32)
    live = np.ones((3, 2), bool)
    regions = person_regions(pts, live, (640, 360), margin=20, align=8)
    people = sorted(sorted(p.tolist()) for p, _ in regions)
    assert people == [[0, 2], [1]]
    for _, (x0, y0, x1, y1) in regions:
        assert x0 % 8 == 0 and y0 % 8 == 0 and 0 <= x0 < x1 <= 640 and 0 <= y0 < y1 <= 360
    everything = person_regions(pts, live, (640, 360), margin=400, align=8)
    assert len(everything) == 1 and everything[0][1] == (0, 0, 640, 360)
    dead = person_regions(pts, np.zeros((3, 2), bool), (640, 360), margin=20, align=8)
    assert len(dead) == 1 and len(dead[0][0]) == 0


def test_gray_frames_keep_a_bounded_number_of_frames_and_views_match_the_frame():
    frames = [texture(90, 120, seed=s) for s in range(6)]
    reader = GrayFrames(ListSource(frames), chunk=3)
    for i in range(6):
        view = reader.view(i, (10, 20, 60, 70))
        assert view.shape == (50, 50)
        assert np.array_equal(view, cv2.cvtColor(frames[i], cv2.COLOR_RGB2GRAY)[20:70, 10:60])
    assert len(reader._cache) == 3
    reader.load([5, 4, 3])
    assert sorted(reader._cache) == [3, 4, 5]


def test_per_level_lk_on_shared_pyramids_is_bit_identical_to_one_opencv_call():
    from stdpose_core.propagation.tracking import pyramidal_lk

    a, b = shifted_pair(640, 360, shift=(6.5, -4.25))
    ga, gb = (cv2.cvtColor(x, cv2.COLOR_RGB2GRAY) for x in (a, b))
    pts = np.random.default_rng(3).uniform([40, 40], [600, 320], (50, 2)).astype(np.float32)
    tracker = LKTracker()
    reader = GrayFrames(ListSource([a, b]))
    ours, st, err = pyramidal_lk(reader.pyramid(0, (0, 0, 640, 360), 3), reader.pyramid(1, (0, 0, 640, 360), 3), pts,
                                 tracker.win, tracker.criteria)
    ref, st_ref, err_ref = cv2.calcOpticalFlowPyrLK(ga, gb, pts.reshape(-1, 1, 2), None, winSize=(tracker.win, tracker.win),
                                                    maxLevel=3, criteria=tracker.criteria)
    assert np.array_equal(ours, ref.reshape(-1, 2))
    assert np.array_equal(st, st_ref.reshape(-1).astype(bool))
    assert np.array_equal(err[st], err_ref.reshape(-1)[st])  # OpenCV leaves a lost point's err unwritten
    assert st.mean() > 0.9 and np.median(np.abs(ours - pts - [-6.5, 4.25])) < 0.2  # and it found the motion


def test_frame_pyramid_is_built_once_and_shared_by_the_steps_into_and_out_of_it():
    frames = [texture(240, 320, seed=s) for s in range(3)]
    reader = GrayFrames(ListSource(frames))
    pts = np.array([[[100, 100], [120, 140]]], np.float32)
    tracker = LKTracker()
    tracker.step(reader, 0, 1, pts, np.ones((1, 2), bool))
    built = reader.pyramid_pixels
    tracker.step(reader, 1, 0, pts, np.ones((1, 2), bool))  # the backward step reads the same two frames
    assert reader.pyramid_pixels == built > 0
    tracker.step(reader, 1, 2, pts, np.ones((1, 2), bool))  # only frame 2's pyramid is new
    assert built < reader.pyramid_pixels < 2 * built


def test_dead_joints_are_not_tracked_and_keep_their_residual():
    a, b = shifted_pair(320, 240, shift=(2.3, 1.7))
    reader = GrayFrames(ListSource([a, b, a]))
    pts = np.array([[[100, 100], [140, 120], [160, 150]]], np.float32)
    live = np.array([[True, False, True]])
    new, ok, res = LKTracker().step(reader, 0, 1, pts, live)
    assert ok[0, 0] and ok[0, 2] and not ok[0, 1]
    assert np.array_equal(new[0, 1], pts[0, 1]) and res[0, 1] == 0  # left alone, not tracked
    c, d = shifted_pair(320, 240, shift=(2.5, 1.5))
    reader = GrayFrames(ListSource([c, d, c]))
    gen = LKTracker(max_residual=1e-3).chain(reader, [0, 1, 2], pts, np.ones((1, 3), bool))  # every step fails
    try:
        while True:
            next(gen)
    except StopIteration as stop:
        chain = stop.value
    assert not chain.alive[1:].any() and (chain.residual[1] > 1e-3).all()
    assert np.array_equal(chain.residual[2], chain.residual[1])  # a dead joint's residual stops growing


def test_cover_converts_close_regions_once_and_far_ones_apart():
    a, _ = shifted_pair()
    near = GrayFrames(ListSource([a]))
    near.cover(0, [(64, 64, 400, 400), (320, 64, 640, 400)])  # side by side: one piece over both
    assert len(near._cache[0]) == 1
    assert near.converted_pixels < 1.3 * (640 - 0 + 64) * (400 + 64)
    far = GrayFrames(ListSource([a]))
    far.cover(0, [(64, 64, 192, 192), (1024, 512, 1152, 640)])  # opposite corners: two small pieces
    assert len(far._cache[0]) == 2
    assert far.converted_pixels < 0.2 * a.shape[0] * a.shape[1]
    before = far.converted_pixels
    far.cover(0, [(64, 64, 192, 192)])  # already there: nothing converted
    assert far.converted_pixels == before


def test_a_point_lk_loses_gets_residual_zero_not_leftover_memory():
    from stdpose_core.propagation.tracking import pyramidal_lk

    a, b = shifted_pair(320, 240, shift=(2.3, 1.7))
    ga, gb = (cv2.cvtColor(x, cv2.COLOR_RGB2GRAY) for x in (a, b))
    ga[:, :160] = 128  # the left half flat: no gradient there, LK gives up on those points
    gb[:, :160] = 128
    tracker = LKTracker()
    pts = np.array([[60, 60], [80, 120], [240, 120], [250, 180]], np.float32)
    for _ in range(3):  # a busy allocator hands out memory that held other residuals
        noise = np.random.default_rng(0).integers(0, 255, (240, 320), np.uint8)
        pyramidal_lk([noise], [np.roll(noise, 5, axis=1)], np.full((4, 2), 100, np.float32), tracker.win, tracker.criteria)
        _, st, err = pyramidal_lk([ga], [gb], pts, tracker.win, tracker.criteria)
        assert not st[:2].any() and st[2:].all()
        assert (err[:2] == 0).all() and (err[2:] > 0).all()


def test_regions_merge_when_their_union_adds_few_pixels_of_the_peoples_base_level():
    from stdpose_core.propagation.tracking import MERGE_AREA

    # Two people side by side, 440 px apart: with the margin, boxes of 80x100 px whose union adds 420x100 px.
    pts = np.array([[[100, 100], [160, 180]], [[600, 100], [660, 180]]], np.float32)
    live = np.ones((2, 2), bool)
    margin = 10
    added = (660 + margin - (100 - margin)) * 100 - 2 * 80 * 100
    assert MERGE_AREA < added < 4 * MERGE_AREA  # apart at the full frame's scale, together one level up
    apart = person_regions(pts, live, (1280, 720), margin=margin, align=8)
    assert sorted(sorted(p.tolist()) for p, _ in apart) == [[0], [1]]
    together = person_regions(pts, live, (1280, 720), margin=margin, align=8, base=np.array([1, 1]))
    assert [sorted(p.tolist()) for p, _ in together] == [[0, 1]]
    mixed = person_regions(pts, live, (1280, 720), margin=margin, align=8, base=np.array([1, 0]))
    assert len(mixed) == 2  # the smaller allowance of the two counts
