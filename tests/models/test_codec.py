"""Heatmap codec: encode → decode round trip within 0.5 px, weights, scores, batch shapes."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from stdpose_core.model.codec import decode, encode, encode_batch


@settings(max_examples=60, deadline=None)
@given(x=st.floats(1.0, 46.0), y=st.floats(1.0, 62.0))
def test_round_trip_within_half_pixel(x, y):
    heat, w = encode(np.array([[x, y]]), np.array([2]))
    xy, score = decode(heat)
    assert w[0] == 1
    assert np.hypot(*(xy[0] - [x, y])) < 0.5
    assert 0.7 < score[0] <= 1.0  # peak of a unit Gaussian sampled off-centre


def test_round_trip_is_sub_pixel_accurate_inside():
    rng = np.random.default_rng(0)
    pts = rng.uniform([6, 6], [42, 58], (17, 2))
    heat, _ = encode(pts, np.full(17, 2))
    xy, _ = decode(heat)
    assert np.abs(xy - pts).max() < 0.05
    plain, _ = decode(heat, dark=False)
    assert np.abs(plain - pts).max() <= 0.5 + 1e-6 and np.abs(plain - np.round(plain)).max() == 0


def test_weights_for_unlabelled_and_outside_joints():
    pts = np.array([[10, 10], [10, 10], [-20, 10], [np.nan, np.nan], [47, 63]], np.float32)
    heat, w = encode(pts, np.array([2, 0, 2, 2, 1]))
    assert w.tolist() == [1, 0, 0, 0, 1]
    assert heat.shape == (5, 64, 48) and heat.dtype == np.float32
    assert heat[1].max() == 0 and heat[2].max() == 0 and heat[3].max() == 0
    assert heat[0].max() == pytest.approx(1.0)


def test_decode_batch_shapes_and_score_is_peak():
    rng = np.random.default_rng(1)
    xy = rng.uniform(5, 40, (3, 17, 2))
    heat, _ = encode_batch(xy, np.full((3, 17), 2))
    heat[1] *= 0.4
    out, score = decode(heat)
    assert out.shape == (3, 17, 2) and score.shape == (3, 17)
    np.testing.assert_allclose(score, heat.reshape(3, 17, -1).max(-1))
    assert np.abs(out - xy).max() < 0.5


def test_decode_survives_flat_and_negative_maps():
    heat = np.zeros((2, 64, 48), np.float32)
    heat[1] = -1.0
    xy, score = decode(heat)
    assert np.isfinite(xy).all() and score.tolist() == [0.0, -1.0]


def test_empty_batches():
    xy, score = decode(np.zeros((0, 17, 64, 48), np.float32))
    assert xy.shape == (0, 17, 2) and score.shape == (0, 17)
    heat, w = encode_batch(np.zeros((0, 17, 2)), np.zeros((0, 17)))
    assert heat.shape == (0, 17, 64, 48) and w.shape == (0, 17)
