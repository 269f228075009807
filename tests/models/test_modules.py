"""Shapes and properties of each STDPose module; the two-stage (cached) path equals forward."""

from __future__ import annotations

import math

import pytest
import torch

from stdpose_core.model import create_model
from stdpose_core.model.backbone import ViTBackbone
from stdpose_core.model.dam import DynamicAwareMask, modified_sigmoid
from stdpose_core.model.head import HeatmapHead
from stdpose_core.model.registry import get_config
from stdpose_core.model.stda import SpatioTemporalDynamicsAggregation
from stdpose_core.model.tff import TemporalFeatureFusion
from stdpose_core.model.tks import TemporalKeypointSynthesis

B, K = 2, 17


def test_modified_sigmoid_values():
    x = torch.tensor([0.0, 0.5, -0.5, 1.0, -1.0, 10.0])
    y = modified_sigmoid(x, 1.5, 0.5)
    assert y[0].item() == pytest.approx(1 / (1 + math.exp(0.75)), abs=1e-6)
    assert y[0].item() == pytest.approx(0.3208, abs=1e-4)
    assert y[1].item() == pytest.approx(0.5) and y[2].item() == pytest.approx(0.5)  # |x| = theta
    assert y[3].item() == pytest.approx(y[4].item())  # symmetric: negative residuals count as motion
    assert y[5].item() > 0.99


def test_backbone_and_head_shapes():
    c = get_config("stdpose_tiny")
    f = ViTBackbone(c)(torch.randn(B, 3, 256, 192))
    assert f.shape == (B, c.embed_dim, 16, 12)
    assert HeatmapHead(c.embed_dim, K, 32)(f).shape == (B, K, 64, 48)


def test_tff_shape_and_uses_all_frames():
    tff = TemporalFeatureFusion(in_dim=64, dim=32, num_tokens=192, depth=1, heads=2).eval()
    l, t, r = (torch.randn(B, 64, 16, 12) for _ in range(3))
    out = tff(l, t, r)
    assert out.shape == (B, 192, 32)
    assert not torch.allclose(out, tff(torch.zeros_like(l), t, r))
    assert not torch.allclose(out, tff(l, t, torch.zeros_like(r)))


def test_tks_shape_and_joint_independent_temporal_merge():
    tks = TemporalKeypointSynthesis(K, 16).eval()
    l, t, r = (torch.rand(B, K, 64, 48) for _ in range(3))
    assert tks(l, t, r).shape == (B, K, 64, 48)
    # The temporal stage is grouped per joint: changing joint 3 leaves joint 5's temporal merge alone.
    seq = torch.stack([l, t, r], 2).reshape(B, 3 * K, 64, 48)
    seq2 = seq.clone()
    seq2[:, 9:12] += 1.0
    a, b = tks.temporal(seq), tks.temporal(seq2)
    assert torch.allclose(a[:, 5], b[:, 5]) and not torch.allclose(a[:, 3], b[:, 3])


def test_dam_mask_is_positive_with_mean_one_and_sees_motion():
    dam = DynamicAwareMask(K)
    with torch.no_grad():
        dam.compress.weight.fill_(1.0)
    l, t, r = (torch.zeros(B, K, 64, 48) for _ in range(3))
    t[:, :, 10, 10] = 1.0  # a joint moved here
    m = dam(l, t, r)
    assert m.shape == (B, 1, 64, 48)
    assert (m > 0).all()
    assert m.mean().item() == pytest.approx(1.0, rel=1e-5)
    assert m[0, 0, 10, 10] == m.max()


def test_stda_shape():
    stda = SpatioTemporalDynamicsAggregation(K, 32, (16, 12), depth=2, heads=2, head_channels=16)
    out = stda(torch.rand(B, K, 64, 48), torch.randn(B, 192, 32))
    assert out.shape == (B, K, 64, 48)


@pytest.mark.parametrize("dam", [True, False])
def test_cached_two_stage_path_equals_forward(make_batch, spread, dam):
    torch.manual_seed(0)
    model = spread(create_model("stdpose_tiny", dam_enabled=dam)).eval()
    left, target, right, hl, hr, _, _ = make_batch(batch=3)
    with torch.no_grad():
        full = model(left, target, right, hl, hr)["heatmaps"]
        fl, _ = model.encode_frame(left)
        fr, _ = model.encode_frame(right)
        ft, ht = model.encode_frame(target)
        staged = model.fuse(ft, ht, fl, hl, fr, hr)
    assert torch.allclose(full, staged, atol=1e-5)
    assert full.abs().max() > 0.01  # not a vacuous comparison of zeros
