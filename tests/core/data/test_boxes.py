"""Person boxes from keypoints (one definition shared by detection, propagation, training, eval, io)."""

import numpy as np

from stdpose_core.data import Track
from stdpose_core.data.boxes import joints_box, person_box


def test_joints_box_is_tight_or_padded_and_ignores_unlabelled_joints():
    xy = np.array([[10, 20], [30, 60], [500, 500]], np.float32)
    mask = np.array([True, True, False])
    assert joints_box(xy, mask).tolist() == [10, 20, 30, 60]
    assert joints_box(xy, mask, padding=0.5).tolist() == [0, 0, 40, 80]  # half of 20x40 on each side
    assert joints_box(xy, np.zeros(3, bool)) is None
    assert joints_box(xy, np.array([True, False, False]), min_points=2) is None


def test_person_box_prefers_the_stored_box_then_the_joints():
    t = Track.empty(0, 3, 17)
    t.bbox[0] = [1, 2, 3, 4]
    t.xy[1, :2] = [[5, 6], [7, 9]]
    t.vis[1, :2] = 2
    assert person_box(t, 0).tolist() == [1, 2, 3, 4]
    assert person_box(t, 1).tolist() == [5, 6, 7, 9]
    assert person_box(t, 2) is None
