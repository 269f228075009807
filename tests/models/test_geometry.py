"""Crop geometry: box → 256x192 window (25% enlargement, 3:4), inverses and heatmap scale."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from stdpose_core.model.geometry import CropWindow, box_to_center_scale, invert_affine, transform_points


def test_window_keeps_aspect_and_enlarges_by_quarter():
    c, s = box_to_center_scale(np.array([100, 50, 160, 250]))  # 60 x 200: tall box
    assert c.tolist() == [130, 150]
    assert s[1] == pytest.approx(200 * 1.25) and s[0] / s[1] == pytest.approx(192 / 256)
    c, s = box_to_center_scale(np.array([0, 0, 300, 100]))  # wide box
    assert s[0] == pytest.approx(300 * 1.25) and s[0] / s[1] == pytest.approx(0.75)


def test_box_maps_into_crop_centre_with_margin():
    win = CropWindow.from_box(np.array([100, 50, 160, 250]))
    corners = win.image_to_crop(np.array([[100, 50], [160, 250]], np.float32))
    assert corners[0, 1] == pytest.approx(256 * 0.1, abs=1e-3)  # 25% enlargement → 10% margin each side
    assert corners[1, 1] == pytest.approx(256 * 0.9, abs=1e-3)
    assert win.image_to_crop(np.array([130, 150])).tolist() == pytest.approx([96, 128])


@settings(max_examples=40, deadline=None)
@given(
    x1=st.floats(-50, 600), y1=st.floats(-50, 400), w=st.floats(5, 400), h=st.floats(5, 400),
    rot=st.floats(-45, 45), scale=st.floats(0.7, 1.3),
)
def test_round_trips(x1, y1, w, h, rot, scale):
    win = CropWindow.from_box(np.array([x1, y1, x1 + w, y1 + h]), rotation=rot, scale=scale)
    pts = np.random.default_rng(0).uniform([x1, y1], [x1 + w, y1 + h], (17, 2)).astype(np.float32)
    tol = 1e-3 * max(1.0, w, h)
    np.testing.assert_allclose(win.crop_to_image(win.image_to_crop(pts)), pts, atol=tol)
    np.testing.assert_allclose(win.heatmap_to_image(win.image_to_heatmap(pts)), pts, atol=tol)
    np.testing.assert_allclose(win.image_to_heatmap(pts) * 4, win.image_to_crop(pts), atol=1e-3)
    a = win.affine
    np.testing.assert_allclose(invert_affine(invert_affine(a)), a, atol=1e-9)


def test_crop_pixels_land_where_points_say():
    img = np.zeros((480, 640, 3), np.uint8)
    img[200:204, 300:304] = 255  # bright square centred at (301.5, 201.5)
    for rot in (0.0, 30.0):
        win = CropWindow.from_box(np.array([250, 100, 350, 350]), rotation=rot)
        crop = win.crop(img)
        assert crop.shape == (256, 192, 3)
        ys, xs = np.nonzero(crop[..., 0] > 100)
        centre = np.array([xs.mean(), ys.mean()])
        assert np.hypot(*(centre - win.image_to_crop(np.array([301.5, 201.5])))) < 1.0


def test_rotation_direction_is_counter_clockwise_as_displayed():
    win = CropWindow.from_box(np.array([0, 0, 192, 256]), padding=1.0, rotation=90)
    # A point to the right of the centre appears above it in the crop.
    right = win.image_to_crop(np.array([96 + 10, 128]))
    assert right == pytest.approx([96, 128 - 10], abs=1e-4)
    assert transform_points(np.full((2, 2), np.nan), win.affine).shape == (2, 2)
