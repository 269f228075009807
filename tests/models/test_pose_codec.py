"""Image keypoints → heatmaps → image keypoints through a crop window; crops of real pixels."""

from __future__ import annotations

import numpy as np
import pytest

from stdpose_core.model import (
    crop_frames,
    heatmaps_to_keypoints,
    keypoints_to_heatmaps,
    pose_box,
    union_box,
    window_for,
)
from stdpose_core.model.registry import get_config


def test_image_round_trip_within_half_heatmap_pixel():
    rng = np.random.default_rng(0)
    xy = rng.uniform([300, 100], [420, 400], (17, 2)).astype(np.float32)
    vis = np.full(17, 2)
    vis[3] = 0
    win = window_for(pose_box(xy, vis), get_config("stdpose_tiny"))
    heat, w = keypoints_to_heatmaps(win, xy, vis)
    assert heat.shape == (17, 64, 48) and w[3] == 0 and w.sum() == 16
    back, score = heatmaps_to_keypoints(win, heat[None])
    stride_img = (pose_box(xy, vis)[3] - pose_box(xy, vis)[1]) * 1.25 / 64  # image px per heatmap px
    err = np.hypot(*(back[0] - xy).T)[w > 0]
    assert err.max() < 0.5 * stride_img and score[0, w > 0].min() > 0.85


def test_union_and_pose_boxes():
    assert union_box([np.array([0, 0, 10, 10]), np.full(4, np.nan), np.array([5, -2, 20, 8])]).tolist() == [0, -2, 20, 10]
    with pytest.raises(ValueError):
        union_box([np.full(4, np.nan)])
    assert np.isnan(pose_box(np.zeros((17, 2)), np.zeros(17))).all()


def test_crop_frames_normalised_batch():
    frames = [np.full((120, 160, 3), v, np.uint8) for v in (0, 255)]
    win = window_for(np.array([40, 20, 100, 100]))
    crops = crop_frames(frames, win)
    assert crops.shape == (2, 3, 256, 192) and crops.dtype == np.float32
    assert crops[1, 0, 128, 96] > crops[0, 0, 128, 96]
    assert crop_frames([], win).shape == (0, 3, 256, 192)
