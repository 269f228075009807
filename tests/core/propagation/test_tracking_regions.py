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
